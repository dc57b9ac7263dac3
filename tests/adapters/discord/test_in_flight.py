"""An edit that arrives while its original is still being judged waits for it; nothing else waits."""

from __future__ import annotations

import asyncio

from adapters.discord.in_flight import InFlight


async def test_an_edit_waits_for_its_original_only() -> None:
    order: list[str] = []
    in_flight = InFlight()
    release = asyncio.Event()

    async def original() -> None:
        with in_flight.judging(1):
            await release.wait()
            order.append("original")

    async def edit(message_id: int, name: str) -> None:
        await in_flight.after(message_id)
        order.append(name)

    tasks = [asyncio.create_task(original())]
    await asyncio.sleep(0)
    tasks += [asyncio.create_task(edit(1, "edit of 1")), asyncio.create_task(edit(2, "edit of 2"))]
    await asyncio.sleep(0.01)
    assert order == ["edit of 2"]  # another message's edit did not wait
    release.set()
    await asyncio.gather(*tasks)
    assert order == ["edit of 2", "original", "edit of 1"]
    await in_flight.after(1)  # finished: nothing to wait for
