"""The Discord adapter's own overhead: message → delete seen by the fake Discord server, through the full pipeline.

    .venv/bin/python -m benchmarks.discord_latency [--messages 300] [--burst 300]

discord.py's real client talks to the in-repo fake server (tests/support/fake_discord) on 127.0.0.1; the bot runs the
real Moderator (rules, the text tier, an SQLite incident log in a temporary folder). Each abusive message is posted,
and the clock stops when the fake sees the bot's DELETE. Side by side in the same run: a bare discord.py client that
deletes every message it sees (no pipeline), i.e. discord.py's own round trip through the fake. Then a burst: all
messages at once, time until every one is deleted. The full pipeline runs twice: with the state table (as in
production: every handled message moves its channel's backfill cursor) and without it, side by side. Ends with
`median_ms=<x> p90_ms=<y> msgs_per_s=<z>` (with the state table).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import tempfile
import time
import warnings
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

with warnings.catch_warnings():  # discord.py imports the deprecated audioop module for voice
    warnings.simplefilter("ignore", DeprecationWarning)
    import discord

from adapters.discord.client import DiscordAdapter
from moderation.classify import build_classifier
from moderation.classify.config import ClassifierConfig
from moderation.model import AccountId, EventId, Message, Platform, RoomId
from moderation.ports import IncidentRef
from tests.support.core import make_core
from tests.support.fake_discord import FakeDiscord
from tests.support.fake_discord.school import BOT_TOKEN, School, build_school

# Made-up insults for the benchmark (not from any evaluation set); a counter keeps every text unique.
TEMPLATES = ("jij bent echt een sukkel {n}", "wat ben jij een idioot {n}", "hou je bek klootzak {n}", "jij hufter {n}")


class DeleteWatch:
    """Timestamps of the DELETEs the fake server sees, by message id."""

    def __init__(self, school: School) -> None:
        self.seen: dict[int, float] = {}
        self._waiters: dict[int, asyncio.Future[float]] = {}
        school.world.listeners.append(self._on_event)

    def _on_event(self, event: str, data: dict[str, Any]) -> None:
        if event == "MESSAGE_DELETE":
            now = time.perf_counter()
            self.seen[data["id"]] = now
            waiter = self._waiters.pop(data["id"], None)
            if waiter is not None and not waiter.done():
                waiter.set_result(now)

    async def wait(self, message_id: int, timeout: float = 10.0) -> float:
        if message_id in self.seen:
            return self.seen[message_id]
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiters[message_id] = future
        return await asyncio.wait_for(future, timeout)


async def sequential(
    school: School, watch: DeleteWatch, count: int, settle: Callable[[], Awaitable[None]]
) -> list[float]:
    """Post one message at a time; milliseconds from posting to the DELETE at the fake."""
    latencies: list[float] = []
    for n in range(count):
        text = TEMPLATES[n % len(TEMPLATES)].format(n=n)
        start = time.perf_counter()
        posted = school.world.create_message(school.sanne.id, school.klas.id, text)
        deleted_at = await watch.wait(posted.id)
        latencies.append((deleted_at - start) * 1000)
        await settle()  # let the rest of this message's work finish before the next one starts
    return latencies


async def burst(school: School, watch: DeleteWatch, count: int) -> float:
    """Post `count` messages at once; messages per second until the last DELETE."""
    start = time.perf_counter()
    ids = [
        school.world.create_message(school.daan.id, school.klas.id, TEMPLATES[n % 4].format(n=f"b{n}")).id
        for n in range(count)
    ]
    await asyncio.gather(*(watch.wait(i, timeout=120) for i in ids))
    return count / (max(watch.seen[i] for i in ids) - start)


async def bare_discord_py(count: int) -> list[float]:
    """discord.py alone: a client that deletes every message it sees, no pipeline."""
    school = build_school()
    watch = DeleteWatch(school)
    async with FakeDiscord(school.world).running():
        intents = discord.Intents.default()
        intents.message_content = True
        client = discord.Client(intents=intents, guild_ready_timeout=0.05)

        @client.event
        async def on_message(message: discord.Message) -> None:
            if message.author.id != school.bot.id:
                await client.http.delete_message(message.channel.id, message.id, reason="benchmark")

        await client.login(BOT_TOKEN)
        task = asyncio.create_task(client.connect())
        try:
            await asyncio.wait_for(client.wait_until_ready(), 30)
            return await sequential(school, watch, count, lambda: asyncio.sleep(0))
        finally:
            await client.close()
            await task


class _NoHands:
    """An enforcer that only notes when the Moderator asked for the delete."""

    deleted_at = 0.0

    async def delete(self, message: Message, reason: str) -> None:
        self.deleted_at = time.perf_counter()

    async def notify_sender(self, message: Message, text: str) -> None:
        return None

    async def announce(self, incident: IncidentRef) -> None:
        return None


async def core_alone(count: int, folder: Path) -> list[float]:
    """Moderator.handle alone, no Discord: milliseconds until it calls `delete` (rules, text tier, incident write),
    the core's share of the message → delete latency."""
    school = build_school()
    core = make_core(
        folder, rooms=school.rooms(), people=school.people(), classifier=build_classifier(ClassifierConfig(ml=None))
    )
    hands, latencies = _NoHands(), []
    try:
        for n in range(count):
            text = TEMPLATES[n % len(TEMPLATES)].format(n=n)
            message = Message(
                Platform.DISCORD,
                RoomId(str(school.klas.id)),
                EventId(str(n)),
                AccountId(str(school.sanne.id)),
                text,
                datetime.now(UTC),
            )
            start = time.perf_counter()
            outcome = await core.moderator.handle(message, hands)
            latencies.append((hands.deleted_at - start) * 1000)
            assert outcome.incident is not None, "the benchmark's messages must all be violations"
    finally:
        core.close()
    return latencies


async def full_pipeline(
    count: int, burst_count: int, folder: Path, *, with_state: bool = True
) -> tuple[list[float], float, int]:
    school = build_school()
    watch = DeleteWatch(school)
    core = make_core(
        folder,
        rooms=school.rooms(),
        people=school.people(),
        classifier=build_classifier(ClassifierConfig(ml=None)),
        bot_accounts=frozenset({(Platform.DISCORD, AccountId(str(school.bot.id)))}),
    )
    async with FakeDiscord(school.world).running() as fake:
        # With the state table, as in production: every handled message moves its channel's backfill cursor.
        adapter = DiscordAdapter(school.config(), BOT_TOKEN, state=core.state if with_state else None)
        await adapter.start(core.moderator)
        review = school.review.id

        def cards() -> int:
            return sum(1 for m in school.world.messages.values() if m.channel_id == review)

        async def settle() -> None:
            expected = cards() + 1
            while cards() < expected:  # the review card is the pipeline's last platform action
                await asyncio.sleep(0.0005)
            await asyncio.sleep(0.005)  # and the incident's action record after it: measure an idle bot

        try:
            await settle_start(cards)
            latencies = await sequential(school, watch, count, settle)
            rate = await burst(school, watch, burst_count)
            requests = len(fake.rest.requests)
        finally:
            await adapter.stop()
            core.close()
    return latencies, rate, requests


async def settle_start(cards: Callable[[], int]) -> None:
    """Wait for the start-up set-up's review card (the announcement channel's first R10 check)."""
    for _ in range(2000):
        if cards():
            return
        await asyncio.sleep(0.001)


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--burst", type=int, default=300)
    args = parser.parse_args(argv)
    if args.messages < 10:
        parser.error("--messages must be at least 10")
    logging.basicConfig(level=logging.ERROR)
    bare = asyncio.run(bare_discord_py(args.messages))
    with tempfile.TemporaryDirectory() as tmp:
        alone = asyncio.run(core_alone(args.messages, Path(tmp) / "alone"))
        full, rate, requests = asyncio.run(full_pipeline(args.messages, args.burst, Path(tmp) / "full"))
        bare_adapter, bare_rate, _ = asyncio.run(
            full_pipeline(args.messages, args.burst, Path(tmp) / "no-cursor", with_state=False)
        )
    bare_median, full_median, core_median = statistics.median(bare), statistics.median(full), statistics.median(alone)
    print(f"messages: {args.messages} sequential, {args.burst} in a burst; REST requests seen: {requests}")
    print(f"{'':28}{'median ms':>10}{'p90 ms':>10}")
    print(f"{'discord.py alone (delete)':28}{bare_median:>10.2f}{p90(bare):>10.2f}")
    print(f"{'Moderator to delete call':28}{core_median:>10.2f}{p90(alone):>10.2f}")
    print(f"{'full pipeline (delete)':28}{full_median:>10.2f}{p90(full):>10.2f}")
    no_cursor = statistics.median(bare_adapter)
    print(f"{'  same, no backfill cursor':28}{no_cursor:>10.2f}{p90(bare_adapter):>10.2f}")
    overhead = full_median - bare_median
    print(f"bot overhead over discord.py: {overhead:.2f} ms median ({full_median / bare_median:.1f}x)")
    # In the live loop the Moderator runs slower than alone (its SQLite commit shares the process with the gateway,
    # the HTTP client and the in-process fake server), so this rest is an upper bound on the adapter's own cost.
    print(f"rest (gateway, HTTP, contention, adapter): {overhead - core_median:.2f} ms median")
    print(f"burst throughput: {rate:.0f} messages/s (delete + notice + incident + review card each)")
    print(f"  without the backfill cursor: {bare_rate:.0f} messages/s (cursor cost {full_median - no_cursor:+.2f} ms)")
    print(f"median_ms={full_median:.2f} p90_ms={p90(full):.2f} msgs_per_s={rate:.0f}")


if __name__ == "__main__":
    main()
