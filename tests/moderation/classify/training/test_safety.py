"""The safety path's lines: chosen together under one false-alarm budget, on the training split only."""

from __future__ import annotations

import numpy as np

from moderation.classify.training.corpus import Example
from moderation.classify.training.safety import GRID, NO_PATH, choose_lines, choose_safety_thresholds, critical_for
from moderation.model import Category


def _example(labels: set[str], kind: str = "t") -> Example:
    return Example("x", frozenset(labels), kind, "chat", "a.jsonl:1", False)


def test_the_line_stops_where_the_next_false_alarm_would_exceed_the_budget() -> None:
    # one hint at 0.45 and one at 0.3; harmless messages at 0.4 and 0.35 (and 96 at 0)
    signal = np.concatenate([np.asarray([0.45, 0.3, 0.4, 0.35]), np.zeros(96)])
    critical = np.asarray([True, True] + [False] * 98)
    harmless = ~critical
    flagged = np.zeros(100, dtype=bool)
    # 98 harmless messages, a 1.1% budget: one false alarm; the first hint is reached, the second (below two) is not
    lines = choose_lines({Category.SELF_HARM: signal}, {Category.SELF_HARM: critical}, harmless, flagged, budget=0.011)
    assert 0.4 < lines[Category.SELF_HARM] <= 0.45
    assert choose_lines({Category.SELF_HARM: signal}, {Category.SELF_HARM: critical}, harmless, flagged, budget=0.03)[
        Category.SELF_HARM
    ] == max(t for t in GRID if t <= 0.3)


def test_harmless_messages_the_stacking_already_flags_cost_nothing() -> None:
    # the hint scores below nine harmless messages, which the stacking already sends to a reviewer
    signal = np.asarray([0.2] + [0.3] * 9)
    critical = np.asarray([True] + [False] * 9)
    flagged = np.asarray([False] + [True] * 9)
    lines = choose_lines({Category.SELF_HARM: signal}, {Category.SELF_HARM: critical}, ~critical, flagged, budget=0.0)
    assert lines[Category.SELF_HARM] == 0.2


def test_a_path_that_wins_nothing_within_the_budget_is_no_path() -> None:
    signal = np.ones(10)
    critical = np.zeros(10, dtype=bool)
    lines = choose_lines({Category.THREAT: signal}, {Category.THREAT: critical}, np.ones(10, dtype=bool), critical, 0.5)
    assert lines[Category.THREAT] == NO_PATH


def test_one_budget_is_shared_and_goes_where_a_false_alarm_wins_the_most_recall() -> None:
    # 200 harmless messages, a 1% budget: two false alarms for both paths together. Reaching all three self-harm
    # hints costs one false alarm; reaching the one school threat costs two.
    n = 204
    threat, self_harm = np.zeros(n), np.zeros(n)
    threat_hints, self_harm_hints = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    threat_hints[0] = True
    self_harm_hints[1:4] = True
    threat[0] = 0.3
    self_harm[1:4] = 0.3
    threat[4:6] = 0.3  # two harmless messages at the threat hint's score
    self_harm[6] = 0.3  # one harmless message at the self-harm hints' score
    harmless = ~(threat_hints | self_harm_hints)
    lines = choose_lines(
        {Category.THREAT: threat, Category.SELF_HARM: self_harm},
        {Category.THREAT: threat_hints, Category.SELF_HARM: self_harm_hints},
        harmless,
        np.zeros(n, dtype=bool),
        0.01,
    )
    assert lines[Category.SELF_HARM] <= 0.3
    assert lines[Category.THREAT] == NO_PATH  # its two false alarms would take the budget past two


def test_a_small_category_weighs_as_much_as_a_large_one() -> None:
    # one false alarm to spend: it reaches either the one nude demand or two of the twenty self-harm hints
    n = 121
    sexual, self_harm = np.zeros(n), np.zeros(n)
    demands, hints = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    demands[0] = True
    hints[1:21] = True
    sexual[0] = 0.3
    sexual[21] = 0.3
    self_harm[1:3] = 0.3
    self_harm[22] = 0.3
    self_harm[3:21] = 0.9  # the others the stacking already flags
    flagged = self_harm >= 0.5
    harmless = ~(demands | hints)
    lines = choose_lines(
        {Category.SEXUAL: sexual, Category.SELF_HARM: self_harm},
        {Category.SEXUAL: demands, Category.SELF_HARM: hints},
        harmless,
        flagged,
        0.01,
    )
    assert lines[Category.SEXUAL] <= 0.3  # all of its recall for one false alarm, against a tenth of the other's
    assert lines[Category.SELF_HARM] == NO_PATH


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
    assert 0.05 < lines[Category.SELF_HARM] <= 0.3
