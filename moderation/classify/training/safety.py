"""The safety path's lines, chosen by cross-validation on the training split.

Each safety category gets a line on the combination's own (out-of-fold) probability for it, below 0.5: at or
above it the message reaches a reviewer. The lines are chosen together, under one false-alarm budget for all the
paths at once: a harmless message opened by two paths is one false alarm to the school, and three independent
budgets added up to three times what each promised. Within that budget the lines are lowered one step at a time
where the step wins the most recall per false alarm it adds, so the budget goes where misses are cheapest to
reach instead of being split evenly. Recall is counted per category and the three are added up (a message weighs
one over its category's number of safety-critical messages): weapons at school, self-harm and nude demands are
three goals of equal standing, and counting messages alone would spend everything on the most numerous one.
Messages the combination already sends to a reviewer cost nothing. The budget is small because the corpus's
harmless messages are hard on purpose (they look like abuse).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from moderation.classify.training.corpus import Example
from moderation.classify.training.metrics import SAFETY_KINDS, THRESHOLD, CategoryScores, review_score
from moderation.model import Category

# Extra false alarms all safety paths together may add on the training split's harmless messages (the three
# paths' old budgets of 0.5% each, added up).
FALSE_ALARM_BUDGET = 0.015
GRID = tuple(round(0.02 * i, 2) for i in range(5, 25))  # 0.10 ... 0.48: below 0.5, where the path adds
NO_PATH = 1.0
_NOTHING = 1e-12  # a win below this is rounding, not a message

Mask = npt.NDArray[np.bool_]


def critical_for(example: Example, category: Category) -> bool:
    """The safety-critical messages each path is there for (the ones `metrics.safety_critical` counts)."""
    if category is Category.THREAT:
        return "school-threat" in example.labels
    if category is Category.SELF_HARM:
        return "self-harm" in example.labels
    return example.kind in SAFETY_KINDS


@dataclass(frozen=True, slots=True)
class PathFigures:
    """Cross-validated: each fold scored with the lines chosen on the other folds."""

    category: Category
    threshold: float  # the line, chosen on the whole training split
    critical: int
    caught_before: int  # by the stacking alone
    caught_after: int  # with the path
    added_false_alarms: float  # share of harmless messages the path adds


def recall_weights(critical: Mapping[Category, Mask], n: int) -> npt.NDArray[np.float64]:
    """What catching each message adds to the sum of the categories' recalls (0 for a message none needs)."""
    weights = np.zeros(n)
    for mask in critical.values():
        weights = np.maximum(weights, mask / max(1, int(mask.sum())))
    return weights


def choose_lines(
    signals: Mapping[Category, npt.NDArray[np.float64]],
    critical: Mapping[Category, Mask],
    harmless: Mask,
    flagged: Mask,
    budget: float = FALSE_ALARM_BUDGET,
) -> dict[Category, float]:
    """Every category's line (NO_PATH where lowering it wins nothing within the budget), chosen greedily: each
    step takes the (category, line) that wins the most recall per added false alarm (ties: the larger win), as
    long as all paths together stay within the budget."""
    allowed = int(budget * max(1, int(harmless.sum())))  # false alarms the paths may add, all together
    extra = harmless & ~flagged
    weights = recall_weights(critical, len(harmless))
    lines = dict.fromkeys(signals, NO_PATH)
    opened = flagged.copy()
    while True:
        caught, cost = float(weights[opened].sum()), int((opened & extra).sum())
        best: tuple[tuple[float, float], Category, float] | None = None
        for category, signal in signals.items():
            for line in reversed(GRID):  # from the top: of two equal steps the higher line is taken
                if line >= lines[category]:
                    continue
                trial = opened | (signal >= line)
                added = int((trial & extra).sum())
                gain = float(weights[trial].sum()) - caught
                if added > allowed or gain <= _NOTHING:
                    continue
                key = (gain / (added - cost + 1), gain)  # +1: a step that costs nothing ranks by its win
                if best is None or key > best[0]:
                    best = (key, category, line)
        if best is None:
            return lines
        _, category, line = best
        lines[category] = line
        opened |= signals[category] >= line


def choose_safety_thresholds(
    examples: Sequence[Example],
    combined_oof: Sequence[CategoryScores],
    splits: Sequence[tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]],
    categories: Sequence[Category],
    budget: float = FALSE_ALARM_BUDGET,
) -> tuple[dict[Category, float], list[PathFigures]]:
    """Lines chosen on all of the out-of-fold scores, and their cross-validated figures per category."""
    harmless = np.asarray([not e.harmful for e in examples])
    flagged = np.asarray([review_score(s) >= THRESHOLD for s in combined_oof])
    signals = {c: np.asarray([s.get(c, 0.0) for s in combined_oof]) for c in categories}
    critical = {c: np.asarray([critical_for(e, c) for e in examples]) for c in categories}
    caught = {c: flagged.copy() for c in categories}
    added = dict.fromkeys(categories, 0)
    for fit, test in splits:
        fold = choose_lines(
            {c: s[fit] for c, s in signals.items()},
            {c: m[fit] for c, m in critical.items()},
            harmless[fit],
            flagged[fit],
            budget,
        )
        for category, line in fold.items():
            opened = signals[category][test] >= line
            caught[category][test] |= opened
            added[category] += int((opened & harmless[test] & ~flagged[test]).sum())
    lines = choose_lines(signals, critical, harmless, flagged, budget)
    report = [
        PathFigures(
            category,
            lines[category],
            int(critical[category].sum()),
            int((flagged & critical[category]).sum()),
            int((caught[category] & critical[category]).sum()),
            added[category] / max(1, int(harmless.sum())),
        )
        for category in categories
    ]
    return {c: t for c, t in lines.items() if t < NO_PATH}, report
