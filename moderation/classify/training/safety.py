"""The safety path's lines, chosen by cross-validation on the training split.

For each safety category, the lowest line on the combination's own (out-of-fold) probability for it whose extra
false alarms on the training split's harmless messages stay within a budget: messages the combination already
sends to a reviewer cost nothing, and every safety-critical message below 0.5 but above the line is won. The budget
is small because the corpus's harmless messages are hard on purpose (they look like abuse).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from moderation.classify.training.corpus import Example
from moderation.classify.training.metrics import SAFETY_KINDS, THRESHOLD, CategoryScores, review_score
from moderation.model import Category

# Extra false alarms each safety category's path may add on the training split's harmless messages.
FALSE_ALARM_BUDGET = 0.005
GRID = tuple(round(0.02 * i, 2) for i in range(5, 25))  # 0.10 ... 0.48: below 0.5, where the path adds


def critical_for(example: Example, category: Category) -> bool:
    """The safety-critical messages each path is there for (the ones `metrics.safety_critical` counts)."""
    if category is Category.THREAT:
        return "school-threat" in example.labels
    if category is Category.SELF_HARM:
        return "self-harm" in example.labels
    return example.kind in SAFETY_KINDS


@dataclass(frozen=True, slots=True)
class PathFigures:
    """Cross-validated: each fold scored with the threshold chosen on the other folds."""

    category: Category
    threshold: float  # the line, chosen on the whole training split
    critical: int
    caught_before: int  # by the stacking alone
    caught_after: int  # with the path
    added_false_alarms: float  # share of harmless messages the path adds


def choose_threshold(
    signal: npt.NDArray[np.float64],
    harmless: npt.NDArray[np.bool_],
    flagged: npt.NDArray[np.bool_],
    budget: float = FALSE_ALARM_BUDGET,
) -> float:
    """The lowest line in GRID within the false-alarm budget (1.0: no path, when none is)."""
    n_harmless = max(1, int(harmless.sum()))
    extra = harmless & ~flagged
    for threshold in GRID:
        if int((extra & (signal >= threshold)).sum()) / n_harmless <= budget:
            return threshold
    return 1.0


def choose_safety_thresholds(
    examples: Sequence[Example],
    combined_oof: Sequence[CategoryScores],
    splits: Sequence[tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]],
    categories: Sequence[Category],
    budget: float = FALSE_ALARM_BUDGET,
) -> tuple[dict[Category, float], list[PathFigures]]:
    """Thresholds chosen on all of the out-of-fold scores, and their cross-validated figures."""
    harmless = np.asarray([not e.harmful for e in examples])
    flagged = np.asarray([review_score(s) >= THRESHOLD for s in combined_oof])
    thresholds: dict[Category, float] = {}
    report: list[PathFigures] = []
    for category in categories:
        signal = np.asarray([s.get(category, 0.0) for s in combined_oof])
        critical = np.asarray([critical_for(e, category) for e in examples])
        caught = flagged.copy()
        added = 0
        for fit, test in splits:
            threshold = choose_threshold(signal[fit], harmless[fit], flagged[fit], budget)
            opened = signal[test] >= threshold
            caught[test] |= opened
            added += int((opened & harmless[test] & ~flagged[test]).sum())
        threshold = choose_threshold(signal, harmless, flagged, budget)
        report.append(
            PathFigures(
                category,
                threshold,
                int(critical.sum()),
                int((flagged & critical).sum()),
                int((caught & critical).sum()),
                added / max(1, int(harmless.sum())),
            )
        )
        if threshold < 1.0:
            thresholds[category] = threshold
    return thresholds, report
