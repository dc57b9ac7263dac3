"""The workers' gate to a platform: no more deliveries in flight than the back-off allows, and none while a rate
limit lasts; more again once it allows more."""

from __future__ import annotations

import asyncio

from moderation.back_off import BackOff, BackOffSettings
from moderation.deliveries import DeliveryGate


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def deliver_all(gate: DeliveryGate, count: int) -> int:
    """Deliver `count` at once through the gate; the most that were in flight together."""
    in_flight = most = 0

    async def one() -> None:
        nonlocal in_flight, most
        async with gate.slot():
            in_flight += 1
            most = max(most, in_flight)
            await asyncio.sleep(0.01)
            in_flight -= 1

    await asyncio.gather(*(one() for _ in range(count)))
    return most


async def test_as_many_in_flight_as_the_back_off_allows() -> None:
    clock = Clock()
    back_off = BackOff(BackOffSettings(most=4, longest_pause=0.0))
    gate = DeliveryGate(back_off, clock, poll=0.005)
    assert await deliver_all(gate, 12) == 4
    back_off.observed(0.010, now=0.0)
    for n in range(1, 6):
        back_off.observed(0.500, now=n * 0.6)  # the deletions slow down: one at a time
    clock.now = 3.0
    assert back_off.allowed(3.0) == 1
    assert await deliver_all(gate, 6) == 1


async def test_a_rate_limit_holds_every_delivery_until_it_has_passed() -> None:
    clock = Clock()
    back_off = BackOff(BackOffSettings(most=4))
    gate = DeliveryGate(back_off, clock, poll=0.005)
    back_off.limited(60.0, now=0.0)
    clock.now = 1.0
    waiting = asyncio.create_task(deliver_all(gate, 3))
    for _ in range(5):
        await asyncio.sleep(0.01)
    assert not waiting.done()  # nothing began: the limit lasts another 59 s by the clock
    clock.now = 61.0
    assert await waiting == 1  # after it, carefully: one at a time
