"""The Discord adapter under a paced stream: message → delete seen by the fake Discord server, through the full
pipeline, beside bare discord.py in the same run.

    .venv/bin/python -m benchmarks.discord_latency [--rate 200] [--seconds 10] [--abuse 0.1] [--burst 300]
                                                   [--profile FILE]

discord.py's real client talks to the in-repo fake server (tests/support/fake_discord) on 127.0.0.1, in this process;
the bot runs the real Moderator (rules, the text tier, an SQLite incident log in a temporary folder, the delivery
workers, the backfill cursor in the state table, as in production). A stream of messages at `--rate` per second
(two students in the class channel, `--abuse` of them abusive) is posted on a fixed schedule; for each abusive one
the clock stops when the fake sees the bot's DELETE. Side by side, the same stream to a bare discord.py client that
deletes every message with an abusive word in it (no pipeline, no database): discord.py's own round trip through the
fake. Then the core's share (Moderator.handle until its delete call, no Discord) and a burst (all at once, messages
per second until the last DELETE). `--profile FILE` writes cProfile's statistics of the full pipeline's stream.
Ends with `p50_ms=<x> p90_ms=<y> p99_ms=<z> msgs_per_s=<burst>` (the full pipeline).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import statistics
import tempfile
import time
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
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

# Made-up messages for the benchmark (not from any evaluation set); the counter keeps every text unique, in a form
# the text tier does not read as part of a word.
ABUSIVE = ("jij bent echt een sukkel (#{n})", "wat ben jij een idioot (#{n})", "hou je bek klootzak (#{n})")
CLEAN = (
    "hoe laat begint de les morgen? (#{n})",
    "heeft iemand de aantekeningen van wiskunde (#{n})",
    "ik ben er over vijf minuten (#{n})",
    "wie doet er mee met het project (#{n})",
    "de toets is verplaatst naar donderdag (#{n})",
    "kan iemand mij helpen met opdracht drie (#{n})",
)
BARE_WORDS = ("sukkel", "idioot", "klootzak")  # what the bare client deletes on


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


@dataclass
class StreamResult:
    latencies: list[float]  # ms, message → DELETE, of the abusive messages deleted
    abusive: int
    clean_deleted: int
    cpu_ms: float  # this process's CPU time over the stream, per message (the fake server's share included)
    late_ms: float  # how far the sender fell behind its schedule at most (the loop was busy)


async def stream(school: School, watch: DeleteWatch, rate: float, seconds: float, abuse: float) -> StreamResult:
    """Post `rate` messages per second for `seconds`, every 1/abuse-th abusive; then wait for the DELETEs."""
    count = int(rate * seconds)
    every = max(1, round(1 / abuse))
    authors = (school.sanne.id, school.daan.id)
    posted: dict[int, float] = {}
    abusive: list[int] = []
    clean: list[int] = []
    late = 0.0
    cpu = time.process_time()
    start = time.perf_counter()
    for n in range(count):
        due = start + n / rate
        wait = due - time.perf_counter()
        if wait > 0:
            await asyncio.sleep(wait)
        else:
            late = max(late, -wait)
        bad = n % every == every - 1
        text = (ABUSIVE[(n // every) % len(ABUSIVE)] if bad else CLEAN[n % len(CLEAN)]).format(n=n)
        sent = time.perf_counter()
        message = school.world.create_message(authors[n % 2], school.klas.id, text)
        posted[message.id] = sent
        (abusive if bad else clean).append(message.id)
    deleted = await asyncio.gather(*(watch.wait(i, timeout=30) for i in abusive), return_exceptions=True)
    cpu_ms = (time.process_time() - cpu) * 1000 / count
    latencies = [(at - posted[i]) * 1000 for i, at in zip(abusive, deleted, strict=True) if isinstance(at, float)]
    return StreamResult(latencies, len(abusive), sum(1 for i in clean if i in watch.seen), cpu_ms, late * 1000)


async def bare_discord_py(rate: float, seconds: float, abuse: float) -> StreamResult:
    """discord.py alone: a client that deletes every message with an abusive word, no pipeline."""
    school = build_school()
    watch = DeleteWatch(school)
    async with FakeDiscord(school.world).running():
        intents = discord.Intents.default()
        intents.message_content = True
        client = discord.Client(intents=intents, guild_ready_timeout=0.05)

        @client.event
        async def on_message(message: discord.Message) -> None:
            if message.author.id != school.bot.id and any(w in message.content for w in BARE_WORDS):
                await client.http.delete_message(message.channel.id, message.id, reason="benchmark")

        await client.login(BOT_TOKEN)
        task = asyncio.create_task(client.connect())
        try:
            await asyncio.wait_for(client.wait_until_ready(), 30)
            return await stream(school, watch, rate, seconds, abuse)
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
    the core's share of the message → delete latency. One at a time, with the delivery workers on (as the bot)."""
    school = build_school()
    core = make_core(
        folder, rooms=school.rooms(), people=school.people(), classifier=build_classifier(ClassifierConfig(ml=None))
    )
    hands, latencies = _NoHands(), []
    try:
        for n in range(count):
            message = Message(
                Platform.DISCORD,
                RoomId(str(school.klas.id)),
                EventId(str(n)),
                AccountId(str(school.sanne.id)),
                ABUSIVE[n % len(ABUSIVE)].format(n=n),
                datetime.now(UTC),
            )
            start = time.perf_counter()
            outcome = await core.moderator.handle(message, hands)
            latencies.append((hands.deleted_at - start) * 1000)
            assert outcome.incident is not None, "the benchmark's messages must all be violations"
            await asyncio.sleep(0.005)  # the next message comes a little later, as in the stream
        await core.moderator.drained()
    finally:
        core.close()
    return latencies


@dataclass
class FullResult:
    stream: StreamResult
    burst_rate: float
    burst_deleted: int
    requests: int


async def full_pipeline(
    rate: float, seconds: float, abuse: float, burst_count: int, folder: Path, profile: Path | None
) -> FullResult:
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
        adapter = DiscordAdapter(school.config(), BOT_TOKEN, state=core.state)
        await adapter.start(core.moderator)
        try:
            await core.moderator.drained()  # the start-up set-up's card (the announcement channel's R10 check)
            profiler = cProfile.Profile() if profile else None
            if profiler is not None:
                profiler.enable()
            result = await stream(school, watch, rate, seconds, abuse)
            if profiler is not None and profile is not None:
                profiler.disable()
                profiler.dump_stats(profile)
            await core.moderator.drained()
            burst_rate, burst_deleted = await burst(school, watch, burst_count)
            await core.moderator.drained()
            requests = len(fake.rest.requests)
        finally:
            await adapter.stop()
            core.close()
    return FullResult(result, burst_rate, burst_deleted, requests)


async def burst(school: School, watch: DeleteWatch, count: int) -> tuple[float, int]:
    """Post `count` abusive messages at once; messages per second until the last DELETE, and how many came."""
    start = time.perf_counter()
    ids = [
        school.world.create_message(school.daan.id, school.klas.id, ABUSIVE[n % len(ABUSIVE)].format(n=100_000 + n)).id
        for n in range(count)
    ]
    await asyncio.gather(*(watch.wait(i, timeout=60) for i in ids), return_exceptions=True)
    deleted = [watch.seen[i] for i in ids if i in watch.seen]
    return (len(deleted) / (max(deleted) - start) if deleted else 0.0), len(deleted)


def quantile(values: list[float], q: int) -> float:
    """The q-th percentile."""
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def row(name: str, values: list[float], extra: str = "") -> str:
    p50, p90, p99 = (quantile(values, q) for q in (50, 90, 99))
    return f"{name:30}{p50:>9.2f}{p90:>9.2f}{p99:>9.2f}  {extra}"


def run(factory: Callable[[], Awaitable[Any]]) -> Any:
    return asyncio.run(factory())  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rate", type=float, default=200.0, help="messages per second")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--abuse", type=float, default=0.1, help="the share of abusive messages")
    parser.add_argument("--burst", type=int, default=300)
    parser.add_argument("--profile", type=Path, default=None, help="cProfile statistics of the full pipeline")
    args = parser.parse_args(argv)
    if not 0 < args.abuse <= 1 or args.rate * args.seconds * args.abuse < 10:
        parser.error("the stream must hold at least 10 abusive messages")
    logging.basicConfig(level=logging.ERROR)
    bare: StreamResult = run(lambda: bare_discord_py(args.rate, args.seconds, args.abuse))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        full: FullResult = run(
            lambda: full_pipeline(args.rate, args.seconds, args.abuse, args.burst, folder / "full", args.profile)
        )
        alone: list[float] = run(lambda: core_alone(200, folder / "alone"))
    s = full.stream
    print(
        f"stream: {args.rate:.0f} msg/s for {args.seconds:.0f} s, {args.abuse:.0%} abusive "
        f"({s.abusive} messages); REST requests seen by the full pipeline's fake: {full.requests}"
    )
    print(f"{'message -> DELETE, ms':30}{'p50':>9}{'p90':>9}{'p99':>9}  deleted / CPU per message / sender late")
    for name, result in (("discord.py alone", bare), ("full pipeline", s)):
        extra = f"{len(result.latencies)}/{result.abusive}, {result.cpu_ms:.2f} ms, {result.late_ms:.1f} ms"
        print(row(name, result.latencies, extra))
    print(row("Moderator to delete call", alone, "(no Discord, one at a time)"))
    if s.clean_deleted or bare.clean_deleted:
        print(f"clean messages deleted: full pipeline {s.clean_deleted}, bare {bare.clean_deleted}")
    ratio = quantile(s.latencies, 50) / quantile(bare.latencies, 50)
    print(f"p50 full / bare: {ratio:.1f}x; CPU per message full / bare: {s.cpu_ms / bare.cpu_ms:.1f}x")
    print(f"burst of {args.burst}: {full.burst_deleted} deleted, {full.burst_rate:.0f} messages/s")
    p50, p90, p99 = (quantile(s.latencies, q) for q in (50, 90, 99))
    print(f"p50_ms={p50:.2f} p90_ms={p90:.2f} p99_ms={p99:.2f} msgs_per_s={full.burst_rate:.0f}")


if __name__ == "__main__":
    main()
