"""Nothing missed while the bot was away: the last handled message of every channel is kept in the state table, and
after a fresh gateway session (a start, or a session Discord would not resume) what came after it is judged.

A RESUME needs none of this (Discord replays the missed events); a fresh session does, because Discord never sends
what happened before it. Messages are judged oldest first and at most `limit` per channel; re-judging a message that
was handled already is harmless (the incident log knows its event).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress

import discord

from moderation.ports import StateStore

log = logging.getLogger(__name__)

KEY = "discord:last:"
# Seconds between writes of the cursors: at a steady stream every message moves one, and a write per message cost a
# worker thread and an SQLite commit beside the incident log's. A crash repeats at most this much (harmless).
SAVE_EVERY = 0.5


class ChannelCursors:
    """The newest message per channel below which every message has been handled. Messages are handled
    concurrently, so the cursor moves only past messages whose handling has finished: a crash then never skips
    one that was still in hand."""

    def __init__(self, state: StateStore) -> None:
        self._state = state
        self._in_hand: dict[int, set[int]] = {}
        self._done: dict[int, set[int]] = {}
        self._saved: dict[int, int] = {}
        self._pending: dict[int, int] = {}
        self._writer: asyncio.Task[None] | None = None
        self._hurry = asyncio.Event()  # set at stop: write now

    def last(self, channel_id: int) -> int | None:
        if channel_id in self._saved:
            return self._saved[channel_id]
        raw = self._state.get(f"{KEY}{channel_id}")
        return int(raw) if raw is not None and raw.isdigit() else None

    def seed(self, channel_id: int, message_id: int) -> None:
        """Start watching a channel from `message_id` (its newest message now), unless it has a cursor already."""
        if self.last(channel_id) is None:
            self._save(channel_id, message_id)

    def started(self, channel_id: int, message_id: int) -> None:
        self._in_hand.setdefault(channel_id, set()).add(message_id)

    def finished(self, channel_id: int, message_id: int) -> None:
        in_hand = self._in_hand.setdefault(channel_id, set())
        in_hand.discard(message_id)
        done = self._done.setdefault(channel_id, set())
        done.add(message_id)
        oldest_in_hand = min(in_hand, default=None)
        ready = [m for m in done if oldest_in_hand is None or m < oldest_in_hand]
        if not ready:
            return
        done.difference_update(ready)
        newest = max(ready)
        if newest > (self.last(channel_id) or 0):
            self._save(channel_id, newest)

    def channels(self, candidates: set[int]) -> dict[int, int]:
        """The cursor of each candidate channel that has one."""
        found = {}
        for channel_id in candidates:
            last = self.last(channel_id)
            if last is not None:
                found[channel_id] = last
        return found

    def _save(self, channel_id: int, message_id: int) -> None:
        """Remember at once; write to the state table in a worker thread within SAVE_EVERY seconds, the newest
        value per channel only, so a slow commit never holds up the gateway (after a crash a few messages are
        judged again: harmless)."""
        self._saved[channel_id] = message_id
        self._pending[channel_id] = message_id
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (a script, a unit test): write now
            self._write(self._take())
            return
        if self._writer is None or self._writer.done():
            self._hurry.clear()
            self._writer = loop.create_task(self._write_pending())

    def _take(self) -> dict[int, int]:
        batch, self._pending = self._pending, {}
        return batch

    async def _write_pending(self) -> None:
        with suppress(TimeoutError):
            async with asyncio.timeout(SAVE_EVERY):
                await self._hurry.wait()
        while self._pending:
            await asyncio.to_thread(self._write, self._take())

    def _write(self, batch: dict[int, int]) -> None:
        for channel_id, message_id in batch.items():
            try:
                self._state.set(f"{KEY}{channel_id}", str(message_id))
            except Exception as exc:  # the database is away: the next message or start saves it again
                log.warning("could not save the last handled message of channel %s: %s", channel_id, exc)

    async def flush(self) -> None:
        """Write what is still pending (at stop)."""
        if self._writer is not None:
            self._hurry.set()
            await asyncio.gather(self._writer, return_exceptions=True)
        if self._pending:
            await asyncio.to_thread(self._write, self._take())


Judge = Callable[[discord.Message], Awaitable[None]]


async def backfill(channel: discord.abc.Messageable, after: int, limit: int, judge: Judge) -> int:
    """Judge up to `limit` messages after `after` in `channel`, oldest first. Returns how many were judged."""
    count = 0
    async for message in channel.history(after=discord.Object(id=after), oldest_first=True, limit=limit + 1):
        if count == limit:
            log.warning(
                "more than %d messages in channel %s since the bot last saw it: only the oldest %d were judged",
                limit,
                getattr(channel, "id", "?"),
                limit,
            )
            break
        await judge(message)
        count += 1
    return count
