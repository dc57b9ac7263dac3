"""The team of a lone chat message: the faster team by measurement, the other one now and then."""

from __future__ import annotations

import pytest

from moderation.classify.e5.teams import TeamChoice


def test_each_team_is_tried_before_any_is_preferred() -> None:
    choice = TeamChoice(2)
    first = choice.choose()
    choice.record(first, 100, 0.01)
    second = choice.choose()
    assert {first, second} == {1, 2}


def _measured(one: float, two: float, explore_every: int = 16) -> TeamChoice:
    choice = TeamChoice(2, explore_every=explore_every)
    choice.record(1, 100, one)
    choice.record(2, 100, two)
    return choice


def test_the_faster_team_is_chosen_and_the_other_one_tried_once_in_a_while() -> None:
    quiet = _measured(one=0.030, two=0.018, explore_every=4)
    assert [quiet.choose() for _ in range(8)] == [2, 2, 2, 1, 2, 2, 2, 1]
    busy = _measured(one=0.048, two=0.062, explore_every=4)
    assert [busy.choose() for _ in range(4)] == [1, 1, 1, 2]


def test_the_choice_follows_a_change_of_load() -> None:
    choice = _measured(one=0.030, two=0.018)
    assert choice.choose() == 2
    for _ in range(10):  # the machine got busy: a team of two now waits for its descheduled thread
        choice.record(2, 100, 0.090)
    assert choice.choose() == 1
    for _ in range(10):
        choice.record(2, 100, 0.015)
    assert choice.choose() == 2


def test_timings_count_per_character() -> None:
    choice = TeamChoice(2)
    choice.record(1, 50, 0.015)  # 0.3 ms a character
    choice.record(2, 200, 0.040)  # 0.2 ms a character: faster, though the call took longer
    choice.choose()
    assert choice.choose() == 2


def test_one_thread_has_no_choice() -> None:
    choice = TeamChoice(1)
    assert {choice.choose() for _ in range(40)} == {1}


@pytest.mark.parametrize(("threads", "explore_every", "smoothing"), [(0, 16, 0.2), (2, 1, 0.2), (2, 16, 0.0)])
def test_nonsense_settings_are_refused(threads: int, explore_every: int, smoothing: float) -> None:
    with pytest.raises(ValueError):
        TeamChoice(threads, explore_every=explore_every, smoothing=smoothing)
