"""Messages being judged right now, so that an edit is judged after its original.

discord.py runs every gateway event in a task of its own: messages of different channels (and of one channel) are
judged side by side, which keeps the bot fast under load, but an edit that arrives right after its message could
overtake it. An edit waits only for its own original, never for the rest of the channel.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager


class InFlight:
    def __init__(self) -> None:
        self._judging: dict[int, asyncio.Event] = {}

    @contextmanager
    def judging(self, message_id: int) -> Iterator[None]:
        """Around judging a new message (entered before the first await, in the order the events arrived)."""
        done = self._judging[message_id] = asyncio.Event()
        try:
            yield
        finally:
            done.set()
            if self._judging.get(message_id) is done:
                del self._judging[message_id]

    async def after(self, message_id: int) -> None:
        """Wait until the original message with this id is judged, when it is being judged right now."""
        done = self._judging.get(message_id)
        if done is not None:
            await done.wait()
