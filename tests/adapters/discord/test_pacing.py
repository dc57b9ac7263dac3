"""The pace of notices and cards below Discord's global limit: a burst goes at once, then one at a time."""

from __future__ import annotations

from adapters.discord.pacing import Pace


class Clock:
    """Half a token's time passes at each look (the pace's own waits are real, but short)."""

    def __init__(self, rate: float) -> None:
        self.now, self.step = 0.0, 0.5 / rate

    def __call__(self) -> float:
        self.now += self.step
        return self.now


async def test_a_burst_goes_at_once_then_each_waits_its_turn() -> None:
    pace = Pace(rate=2000.0, burst=3, clock=Clock(2000.0))
    for _ in range(3):
        await pace.take()
    assert pace.waited == 0
    for _ in range(3):
        await pace.take()
    assert pace.waited == 3  # each one past the burst waited for its token


async def test_no_rate_is_no_pacing() -> None:
    pace = Pace(rate=0, burst=1)
    for _ in range(50):
        await pace.take()
    assert pace.waited == 0
