"""The Discord adapter under a paced stream: message → delete seen by the fake Discord server, through the full
pipeline with the review side on, beside bare discord.py, and beside an older checkout, in one run.

    .venv/bin/python -m benchmarks.discord_latency [--rate 200] [--seconds 10] [--abuse 0.1] [--burst 300]
                                                   [--old DIR] [--runs 2] [--global-limit 50] [--profile FILE]

discord.py's real client talks to this checkout's fake server (tests/support/fake_discord) on 127.0.0.1, with
Discord's global limit of 50 requests per second per bot (`--global-limit`; a 429 makes discord.py hold back every
request, the deletes too), the same server for every side. The bot runs the real Moderator (rules, the text tier,
an SQLite incident log in a temporary folder, the delivery workers, the backfill cursor in the state table) with
the review side wired as in production: each abusive message's card
goes to its reviewers by DM (the mentor and the anti-bullying coordinator) and to the overview channel, and the
student gets a notice by DM, so the deletes share the bot with those sends. A stream of messages at `--rate` per
second (two students in the class channel, `--abuse` of them abusive) is posted on a fixed schedule; for each
abusive one the clock stops when the fake deletes it. Every abusive message must be deleted exactly once (the
fake's deletions are counted per message, and the DELETE requests too) and no clean one at all.

Sides, each in a process of its own, interleaved over `--runs` runs (the table shows the median of the runs' p50,
p90 and p99): `bare` (discord.py alone, deleting every message with an abusive word: no pipeline, no database),
`old` (this measurement run on the checkout `--old`, a worktree of an older commit) and `new` (this checkout). Per
pipeline side also the core's share (Moderator.handle until its delete call, no Discord, one at a time) and a burst
(all at once: messages per second until the last delete). `--profile FILE` writes cProfile's statistics of the
new side's stream. Ends with `p50_ms=<x> p90_ms=<y> p99_ms=<z> msgs_per_s=<burst>` (the new side, medians).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.support.fake_discord.school import School

HERE = Path(__file__).resolve().parents[1]
SIDE_PREFIX = "side-result: "

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
    """When the fake server deleted each message, and how often (a message is deleted once; a second DELETE of it
    is answered 404 and counted as a request only)."""

    def __init__(self, school: School) -> None:
        self.seen: dict[int, float] = {}
        self.times: Counter[int] = Counter()
        self._waiters: dict[int, asyncio.Future[float]] = {}
        school.world.listeners.append(self._on_event)

    def _on_event(self, event: str, data: dict[str, Any]) -> None:
        if event == "MESSAGE_DELETE":
            now = time.perf_counter()
            self.times[data["id"]] += 1
            self.seen.setdefault(data["id"], now)
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
    latencies: list[float]  # ms, message → delete, of the abusive messages deleted
    abusive: int
    clean_deleted: int
    deleted_twice: int  # abusive messages the fake deleted more than once (must be 0; it cannot, by its model)
    delete_requests: int  # DELETE requests for the stream's abusive messages (one each when nothing was redone)
    cpu_ms: float  # this process's CPU time over the stream, per message (the fake server's share included)
    late_ms: float  # how far the sender fell behind its schedule at most (the loop was busy)


@dataclass
class SideResult:
    side: str
    stream: StreamResult
    core_ms: list[float] = field(default_factory=list)  # Moderator.handle until its delete call
    burst_rate: float = 0.0
    burst_deleted: int = 0
    burst_count: int = 0
    requests: int = 0  # REST requests the fake saw over the whole run
    sends: int = 0  # messages the bot posted over the stream and the burst: cards, notices, overview posts


async def stream(
    school: School, watch: DeleteWatch, rest: Any, rate: float, seconds: float, abuse: float
) -> StreamResult:
    """Post `rate` messages per second for `seconds`, every 1/abuse-th abusive; then wait for the deletes."""
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
    ours = set(abusive)
    requests = sum(
        1
        for r in rest.requests
        if r.method == "DELETE" and "/messages/" in r.path and int(r.path.rsplit("/", 1)[1]) in ours
    )
    return StreamResult(
        latencies,
        len(abusive),
        sum(1 for i in clean if i in watch.seen),
        sum(1 for i in abusive if watch.times[i] > 1),
        requests,
        cpu_ms,
        late * 1000,
    )


async def bare_discord_py(rate: float, seconds: float, abuse: float, global_limit: int) -> SideResult:
    """discord.py alone: a client that deletes every message with an abusive word, no pipeline."""
    import discord

    from tests.support.fake_discord import FakeDiscord
    from tests.support.fake_discord.school import BOT_TOKEN, build_school

    school = build_school()
    watch = DeleteWatch(school)
    async with FakeDiscord(school.world).running() as fake:
        if global_limit:
            fake.rest.buckets.limit_globally(global_limit)
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
            result = await stream(school, watch, fake.rest, rate, seconds, abuse)
            return SideResult("bare", result, requests=len(fake.rest.requests))
        finally:
            await client.close()
            await task


class _NoHands:
    """An enforcer that only notes when the Moderator asked for the delete."""

    deleted_at = 0.0

    async def delete(self, message: Any, reason: str) -> None:
        self.deleted_at = time.perf_counter()

    async def notify_sender(self, message: Any, text: str) -> None:
        return None

    async def announce(self, incident: Any) -> None:
        return None


async def core_alone(count: int, folder: Path) -> list[float]:
    """Moderator.handle alone, no Discord: milliseconds until it calls `delete` (rules, text tier, incident write),
    the core's share of the message → delete latency. One at a time, with the delivery workers on (as the bot)."""
    from moderation.classify import build_classifier
    from moderation.classify.config import ClassifierConfig
    from moderation.model import AccountId, EventId, Message, Platform, RoomId
    from tests.support.core import make_core
    from tests.support.fake_discord.school import build_school

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
            outcome = await core.moderator.handle(message, hands)  # type: ignore[arg-type]
            latencies.append((hands.deleted_at - start) * 1000)
            assert outcome.incident is not None, "the benchmark's messages must all be violations"
            await asyncio.sleep(0.005)  # the next message comes a little later, as in the stream
        await core.moderator.drained()
    finally:
        core.close()
    return latencies


async def full_pipeline(
    side: str,
    rate: float,
    seconds: float,
    abuse: float,
    burst_count: int,
    global_limit: int,
    folder: Path,
    profile: Path | None,
) -> SideResult:
    from adapters.discord.client import DiscordAdapter
    from adapters.discord.review import ReviewSetup
    from moderation.classify import build_classifier
    from moderation.classify.config import ClassifierConfig
    from moderation.model import AccountId, Platform
    from tests.support.core import make_core
    from tests.support.fake_discord import FakeDiscord
    from tests.support.fake_discord.review_school import wire_school
    from tests.support.fake_discord.school import BOT_TOKEN, build_school

    school = build_school()
    wire_school(school)  # the coordinator has a Discord account too: her cards go by DM
    watch = DeleteWatch(school)
    core = make_core(
        folder,
        rooms=school.rooms(),
        people=school.people(),
        classifier=build_classifier(ClassifierConfig(ml=None)),
        bot_accounts=frozenset({(Platform.DISCORD, AccountId(str(school.bot.id)))}),
    )
    async with FakeDiscord(school.world).running() as fake:
        if global_limit:
            fake.rest.buckets.limit_globally(global_limit)
        setup = ReviewSetup(core.review, core.roster.current, core.state)
        adapter = DiscordAdapter(school.config(), BOT_TOKEN, review=setup)
        await adapter.start(core.moderator)
        try:
            await core.moderator.drained()  # the start-up set-up's card (the announcement channel's R10 check)
            posted_before = _bot_posts(school)
            profiler = cProfile.Profile() if profile else None
            if profiler is not None:
                profiler.enable()
            result = await stream(school, watch, fake.rest, rate, seconds, abuse)
            if profiler is not None and profile is not None:
                profiler.disable()
                profiler.dump_stats(profile)
            await core.moderator.drained(timeout=120)
            burst_rate, burst_deleted = await burst(school, watch, burst_count)
            await core.moderator.drained(timeout=120)
            sends = _bot_posts(school) - posted_before
            requests = len(fake.rest.requests)
        finally:
            await adapter.stop()
            core.close()
    return SideResult(side, result, [], burst_rate, burst_deleted, burst_count, requests, sends)


def _bot_posts(school: School) -> int:
    bot = school.bot.id
    return sum(1 for m in [*school.world.messages.values(), *school.world.deleted.values()] if m.author_id == bot)


async def burst(school: School, watch: DeleteWatch, count: int) -> tuple[float, int]:
    """Post `count` abusive messages at once; messages per second until the last delete, and how many came."""
    start = time.perf_counter()
    ids = [
        school.world.create_message(school.daan.id, school.klas.id, ABUSIVE[n % len(ABUSIVE)].format(n=100_000 + n)).id
        for n in range(count)
    ]
    await asyncio.gather(*(watch.wait(i, timeout=60) for i in ids), return_exceptions=True)
    deleted = [watch.seen[i] for i in ids if i in watch.seen]
    return (len(deleted) / (max(deleted) - start) if deleted else 0.0), len(deleted)


def this_fake_server() -> None:
    """Every side talks to this checkout's fake server and test helpers (the same Discord for all, its global limit
    included); the bot's own code comes from the checkout first on the path, the one measured."""
    sys.path.insert(0, str(HERE))
    import tests.support  # noqa: F401

    sys.path.remove(str(HERE))


def run_side(args: argparse.Namespace) -> SideResult:
    """One side, in this process."""
    this_fake_server()
    with warnings.catch_warnings():  # discord.py imports the deprecated audioop module for voice
        warnings.simplefilter("ignore", DeprecationWarning)
        import discord  # noqa: F401
    logging.basicConfig(level=logging.ERROR)
    if args.side == "bare":
        return asyncio.run(bare_discord_py(args.rate, args.seconds, args.abuse, args.global_limit))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        profile = args.profile if args.side == "new" else None
        result = asyncio.run(
            full_pipeline(
                args.side, args.rate, args.seconds, args.abuse, args.burst, args.global_limit, folder / "full", profile
            )
        )
        result.core_ms = asyncio.run(core_alone(200, folder / "alone"))
    return result


def spawn(side: str, checkout: Path, args: argparse.Namespace) -> SideResult:
    """One side in a process of its own, with `checkout` first on the path."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--side",
        side,
        *("--rate", str(args.rate), "--seconds", str(args.seconds), "--abuse", str(args.abuse)),
        *("--burst", str(args.burst), "--global-limit", str(args.global_limit)),
        *(("--profile", str(args.profile)) if args.profile else ()),
    ]
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=checkout, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith(SIDE_PREFIX)]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"side {side} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    raw = json.loads(lines[-1].removeprefix(SIDE_PREFIX))
    return SideResult(**{**raw, "stream": StreamResult(**raw["stream"])})


def quantile(values: list[float], q: int) -> float:
    """The q-th percentile."""
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def percentiles(values: list[float]) -> tuple[float, float, float]:
    return quantile(values, 50), quantile(values, 90), quantile(values, 99)


def median_of(runs: list[SideResult], pick: Any) -> float:
    return statistics.median(pick(r) for r in runs)


def report(args: argparse.Namespace, results: dict[str, list[SideResult]]) -> None:
    first = next(iter(results.values()))[0].stream
    print(
        f"stream: {args.rate:.0f} msg/s for {args.seconds:.0f} s, {args.abuse:.0%} abusive ({first.abusive} messages), "
        f"{args.runs} run(s) per side, interleaved; medians of the runs; Discord's global limit "
        f"{args.global_limit or 'off'} requests/s"
    )
    if args.old is not None:
        print(f"old = {args.old}; new = {HERE}")
    print(
        f"{'message -> delete, ms':24}{'p50':>8}{'p90':>8}{'p99':>8}  deleted (twice) / DELETEs / CPU per msg / "
        "sender late / bot's posts / REST requests"
    )
    for side, runs in results.items():
        p50, p90, p99 = (median_of(runs, lambda r, i=i: percentiles(r.stream.latencies)[i]) for i in range(3))
        s = runs[-1].stream
        deleted = min(len(r.stream.latencies) for r in runs)
        twice = max(r.stream.deleted_twice for r in runs)
        extra = (
            f"{deleted}/{s.abusive} ({twice}), {max(r.stream.delete_requests for r in runs)}, "
            f"{median_of(runs, lambda r: r.stream.cpu_ms):.2f} ms, {max(r.stream.late_ms for r in runs):.1f} ms, "
            f"{median_of(runs, lambda r: r.sends):.0f}, {median_of(runs, lambda r: r.requests):.0f}"
        )
        print(f"{side:24}{p50:>8.2f}{p90:>8.2f}{p99:>8.2f}  {extra}")
    for side, runs in results.items():
        if side == "bare":
            continue
        core = median_of(runs, lambda r: percentiles(r.core_ms)[0])
        rate = median_of(runs, lambda r: r.burst_rate)
        burst_deleted = min(r.burst_deleted for r in runs)
        print(
            f"{side}: Moderator to delete call p50 {core:.2f} ms (no Discord, one at a time); burst of {args.burst}: "
            f"{burst_deleted} deleted, {rate:.0f} messages/s"
        )
    bad = [
        side
        for side, runs in results.items()
        for r in runs
        if r.stream.clean_deleted or r.stream.deleted_twice or len(r.stream.latencies) != r.stream.abusive
    ]
    print("every abusive message deleted exactly once, no clean one: " + ("yes" if not bad else f"NO ({bad})"))
    bare = median_of(results["bare"], lambda r: percentiles(r.stream.latencies)[0])
    for side in ("old", "new"):
        if side in results:
            full = median_of(results[side], lambda r: percentiles(r.stream.latencies)[0])
            print(f"p50 {side} / bare: {full / bare:.2f}x")
    new = results["new"]
    p50, p90, p99 = (median_of(new, lambda r, i=i: percentiles(r.stream.latencies)[i]) for i in range(3))
    print(f"p50_ms={p50:.2f} p90_ms={p90:.2f} p99_ms={p99:.2f} msgs_per_s={median_of(new, lambda r: r.burst_rate):.0f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rate", type=float, default=200.0, help="messages per second")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--abuse", type=float, default=0.1, help="the share of abusive messages")
    parser.add_argument("--burst", type=int, default=300)
    parser.add_argument("--old", type=Path, default=None, help="an older checkout to measure beside this one")
    parser.add_argument("--runs", type=int, default=2, help="runs per side, interleaved")
    parser.add_argument(
        "--global-limit", type=int, default=50, help="the fake's requests per second per bot, as Discord's (0: none)"
    )
    parser.add_argument("--profile", type=Path, default=None, help="cProfile statistics of the new side's stream")
    parser.add_argument("--side", choices=("bare", "old", "new"), help=argparse.SUPPRESS)  # one side, in-process
    args = parser.parse_args(argv)
    if not 0 < args.abuse <= 1 or args.rate * args.seconds * args.abuse < 10:
        parser.error("the stream must hold at least 10 abusive messages")
    if args.old is not None and not (args.old / "adapters" / "discord").is_dir():
        parser.error(f"{args.old} is not a schoolwacht checkout with the Discord adapter")
    if args.side is not None:
        print(SIDE_PREFIX + json.dumps(asdict(run_side(args))), flush=True)
        return
    checkouts = {"bare": HERE, **({"old": args.old.resolve()} if args.old is not None else {}), "new": HERE}
    results: dict[str, list[SideResult]] = {side: [] for side in checkouts}
    for _run in range(args.runs):
        for side, checkout in checkouts.items():
            results[side].append(spawn(side, checkout, args))
    report(args, results)


if __name__ == "__main__":
    main()
