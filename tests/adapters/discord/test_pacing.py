"""The pace of notices and cards below Discord's global limit: a burst goes at once, then each waits its token."""

from __future__ import annotations

import asyncio

from adapters.discord.pacing import Pace


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_a_burst_goes_at_once_then_each_waits_its_token() -> None:
    clock = Clock()
    pace = Pace(rate=1000.0, burst=3, clock=clock)
    for _ in range(3):
        await pace.take()
    assert pace.waited == 0
    fourth = asyncio.create_task(pace.take())
    while pace.waited < 2:  # no time passes on this clock: it keeps waiting
        await asyncio.sleep(0.001)
    assert not fourth.done()
    clock.now += 1 / 1000  # one token's time
    await fourth


async def test_no_rate_is_no_pacing() -> None:
    pace = Pace(rate=0, burst=1, clock=Clock())
    for _ in range(50):
        await pace.take()
    assert pace.waited == 0
