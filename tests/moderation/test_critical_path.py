"""The critical path goes first: a worker's next card waits while a deletion is in flight, but never for long."""

from __future__ import annotations

import asyncio

from moderation.critical_path import CriticalPath


async def test_a_card_waits_for_the_deletion_in_flight() -> None:
    path = CriticalPath(most_wait=5.0)
    order: list[str] = []

    async def delete() -> None:
        with path.running():
            await asyncio.sleep(0.1)
            order.append("delete")

    async def card() -> None:
        await asyncio.sleep(0.01)  # the deletion began first
        await path.clear()
        order.append("card")

    await asyncio.gather(delete(), card())
    assert order == ["delete", "card"] and path.held == 1 and not path.busy


async def test_a_card_waits_no_longer_than_the_bound() -> None:
    path = CriticalPath(most_wait=0.05)
    loop = asyncio.get_running_loop()
    with path.running():
        began = loop.time()
        await path.clear()
        assert 0.04 < loop.time() - began < 1.0 and path.busy
    began = loop.time()
    await path.clear()  # nothing in flight: at once, not counted
    assert loop.time() - began < 0.04 and path.held == 1
