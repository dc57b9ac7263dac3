"""The safety path's thresholds: the lowest within the false-alarm budget, chosen on the training split only."""

from __future__ import annotations

import numpy as np

from moderation.classify.training.corpus import Example
from moderation.classify.training.safety import GRID, choose_safety_thresholds, choose_threshold, critical_for
from moderation.model import Category


def _example(labels: set[str], kind: str = "t") -> Example:
    return Example("x", frozenset(labels), kind, "chat", "a.jsonl:1", False)


def test_the_lowest_threshold_within_the_budget_is_chosen() -> None:
    signal = np.asarray([0.45, 0.4, 0.35, 0.2, 0.15])
    harmless = np.asarray([False, True, True, True, True] + [True] * 95)
    signal = np.concatenate([signal, np.zeros(95)])
    flagged = np.zeros(100, dtype=bool)
    # 99 harmless messages: one false alarm (1%) is within a 1% budget, two are not
    assert choose_threshold(signal, harmless, flagged, budget=0.011) == min(t for t in GRID if t > 0.35)
    assert choose_threshold(signal, harmless, flagged, budget=0.0) == min(t for t in GRID if t > 0.4)


def test_harmless_messages_the_stacking_already_flags_cost_nothing() -> None:
    signal = np.asarray([0.45] + [0.3] * 9)
    harmless = np.asarray([False] + [True] * 9)
    flagged = np.asarray([False] + [True] * 9)
    assert choose_threshold(signal, harmless, flagged, budget=0.0) == GRID[0]


def test_no_threshold_within_the_budget_means_no_path() -> None:
    signal = np.ones(10)
    harmless = np.ones(10, dtype=bool)
    assert choose_threshold(signal, harmless, np.zeros(10, dtype=bool), budget=0.0) == 1.0


def test_the_critical_messages_are_the_ones_the_benchmark_counts() -> None:
    assert critical_for(_example({"threat", "school-threat"}), Category.THREAT)
    assert not critical_for(_example({"threat"}), Category.THREAT)
    assert critical_for(_example({"self-harm"}), Category.SELF_HARM)
    assert critical_for(_example({"sexual"}, "nudes-demand"), Category.SEXUAL)
    assert not critical_for(_example({"sexual"}, "sexual-remark"), Category.SEXUAL)


def test_cross_validated_figures_count_what_the_path_wins() -> None:
    examples = [_example({"self-harm"}) for _ in range(10)] + [_example(set()) for _ in range(90)]
    # the combination scores every hint 0.3 (below 0.5) and every harmless message 0.05
    combined = [{Category.SELF_HARM: 0.3}] * 10 + [{Category.SELF_HARM: 0.05}] * 90
    index = np.arange(100)
    splits = [(index[index % 5 != k], index[index % 5 == k]) for k in range(5)]
    lines, report = choose_safety_thresholds(examples, combined, splits, [Category.SELF_HARM])
    (figures,) = report
    assert figures.critical == 10 and figures.caught_before == 0 and figures.caught_after == 10
    assert figures.added_false_alarms == 0.0
    assert lines[Category.SELF_HARM] == GRID[0]  # nothing harmless reaches even the lowest line
