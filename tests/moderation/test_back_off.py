"""The deliveries' back-off, as a pure policy: quick deletions let every worker go; slow ones (against the quickest
seen) halve the deliveries at once down to one, with a pause; quick answers bring them back one by one; a rate
limit stops them until it has passed; without deletions for a while there is nothing to make way for."""

from __future__ import annotations

import itertools

from moderation.back_off import BackOff, BackOffSettings


def back_off() -> BackOff:
    return BackOff(BackOffSettings(most=4, recover=1.0, quiet=3.0, longest_pause=2.0))


def test_quick_deletions_let_every_worker_go() -> None:
    pace = back_off()
    for n in range(20):
        pace.observed(0.010 + 0.002 * (n % 3), now=n * 0.1)
    assert not pace.slow and pace.allowed(2.0) == 4 and pace.pause(2.0) == 0.0


def test_slow_deletions_halve_the_deliveries_down_to_one_with_a_pause() -> None:
    pace = back_off()
    pace.observed(0.010, now=0.0)
    levels = []
    for n in range(1, 8):
        pace.observed(0.400, now=n * 0.5)
        levels.append(pace.allowed(n * 0.5))
    assert levels[0] == 2 and levels[-1] == 1 and min(levels) == 1
    assert pace.slow and 0.1 < pace.pause(3.5) <= 2.0
    assert pace.yielded == 2  # 4 -> 2 -> 1


def test_a_few_milliseconds_more_is_not_slow() -> None:
    pace = back_off()
    pace.observed(0.004, now=0.0)
    for n in range(1, 10):
        pace.observed(0.015, now=n * 0.1)  # almost 4x the quickest, but only 11 ms more
    assert not pace.slow and pace.allowed(1.0) == 4


def test_quick_answers_bring_the_deliveries_back_one_per_recovery_period() -> None:
    pace = back_off()
    pace.observed(0.010, now=0.0)
    for n in range(1, 6):
        pace.observed(0.500, now=n * 0.6)
    assert pace.allowed(3.0) == 1
    seen = []
    now = 3.0
    while now < 9.0:
        now += 0.25
        pace.observed(0.010, now=now)
        seen.append(pace.allowed(now))
    assert seen[0] in (1, 2)
    assert seen[-1] == 4 and all(b - a in (0, 1) for a, b in itertools.pairwise(seen))


def test_a_rate_limit_stops_every_delivery_until_it_has_passed() -> None:
    pace = back_off()
    pace.observed(0.010, now=0.0)
    pace.limited(1.5, now=1.0)
    assert pace.allowed(1.2) == 0 and abs(pace.pause(1.2) - 1.3) < 1e-9
    assert pace.allowed(2.6) == 1 and pace.pause(2.6) == 0.0  # back, carefully


def test_without_deletions_for_a_while_every_worker_goes_again() -> None:
    pace = back_off()
    pace.observed(0.010, now=0.0)
    for n in range(1, 6):
        pace.observed(0.500, now=n * 0.6)
    assert pace.allowed(3.1) == 1
    assert pace.allowed(3.0 + 3.0) == 4 and pace.pause(6.0) == 0.0
