"""Detection figures, numpy only (the benchmarks use them too): F1 at a threshold, ROC-AUC, false-alarm rate."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from moderation.classify.training.corpus import REGISTERS, Example
from moderation.model import ABUSE_CATEGORIES, Category

THRESHOLD = 0.5
CategoryScores = Mapping[Category, float]


@dataclass(frozen=True, slots=True)
class Figures:
    n: int
    positives: int
    f1: float | None
    auc: float | None
    false_alarms: float | None  # share of harmless messages scored at or above the threshold
    recall: float | None


def roc_auc(labels: Sequence[bool], scores: Sequence[float]) -> float | None:
    """The chance that a random positive scores above a random negative (ties count half)."""
    y = np.asarray(labels, dtype=bool)
    s = np.asarray(scores, dtype=np.float64)
    positives, negatives = int(y.sum()), int((~y).sum())
    if positives == 0 or negatives == 0:
        return None
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s))
    sorted_scores = s[order]
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[y].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def figures(
    labels: Sequence[bool], scores: Sequence[float], harmless: Sequence[bool], threshold: float = THRESHOLD
) -> Figures:
    y = np.asarray(labels, dtype=bool)
    flagged = np.asarray(scores, dtype=np.float64) >= threshold
    clean = np.asarray(harmless, dtype=bool)
    tp, fp, fn = int((flagged & y).sum()), int((flagged & ~y).sum()), int((~flagged & y).sum())
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None
    alarms = float(flagged[clean].mean()) if clean.any() else None
    recall = tp / (tp + fn) if tp + fn else None
    return Figures(len(y), int(y.sum()), f1, roc_auc(y.tolist(), list(scores)), alarms, recall)


def review_score(scores: CategoryScores) -> float:
    """What `score_texts` returns: the chance a reviewer must see it (any category, self-harm care included)."""
    return max(scores.values(), default=0.0)


def per_category(examples: Sequence[Example], scored: Sequence[CategoryScores]) -> dict[str, Figures]:
    harmless = [not e.harmful for e in examples]
    out = {"review (any)": figures([e.harmful for e in examples], [review_score(s) for s in scored], harmless)}
    for category in ABUSE_CATEGORIES:
        labels = [category.value in e.labels for e in examples]
        out[category.value] = figures(labels, [s.get(category, 0.0) for s in scored], harmless)
    return out


def per_register(examples: Sequence[Example], scored: Sequence[CategoryScores]) -> dict[str, Figures]:
    out = {}
    for register in REGISTERS:
        idx = [i for i, e in enumerate(examples) if e.register == register]
        if idx:
            out[register] = figures(
                [examples[i].harmful for i in idx],
                [review_score(scored[i]) for i in idx],
                [not examples[i].harmful for i in idx],
            )
    return out


def per_file(examples: Sequence[Example], scored: Sequence[CategoryScores]) -> dict[str, Figures]:
    """Review figures per corpus file ("chat_school_heldout.jsonl": harmless school chat, ...)."""
    groups: dict[str, list[int]] = {}
    for i, e in enumerate(examples):
        groups.setdefault(e.source.split(":")[0], []).append(i)
    return {
        name: figures(
            [examples[i].harmful for i in idx],
            [review_score(scored[i]) for i in idx],
            [not examples[i].harmful for i in idx],
        )
        for name, idx in sorted(groups.items())
    }


# What must always reach a reviewer: a weapon or violence at school, a hint of self-harm, a demand for nude pictures.
SAFETY_KINDS = frozenset({"nudes-demand", "sextortion"})


def safety_critical(example: Example) -> bool:
    return "school-threat" in example.labels or "self-harm" in example.labels or example.kind in SAFETY_KINDS


def cell(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def table(title: str, systems: Mapping[str, Mapping[str, Figures]]) -> list[str]:
    """A markdown table: one row per group, F1 / ROC-AUC / false alarms side by side for each system."""
    names = list(systems)
    groups = list(next(iter(systems.values())))
    head = "| " + title + " | n (harmful) | " + " | ".join(f"{n} F1 / AUC / FA" for n in names) + " |"
    lines = [head, "|" + "---|" * (2 + len(names))]
    for group in groups:
        first = systems[names[0]][group]
        cells = [
            f"{cell(systems[n][group].f1)} / {cell(systems[n][group].auc)} / {cell(systems[n][group].false_alarms)}"
            for n in names
        ]
        lines.append(f"| {group} | {first.n} ({first.positives}) | " + " | ".join(cells) + " |")
    return lines
