"""The bot's memory with a whole school: `schoolwacht run` as its own process on Discord (the in-repo fake server),
with a roster of `--people` people and `--rooms` moderated channels, idle and after a paced stream. Side by side in
the same run: the sample school (8 people, 3 channels), so the roster's and the rooms' own share shows.

    .venv/bin/python -m benchmarks.bot_memory [--people 1331] [--rooms 50] [--rate 200] [--seconds 10]

The fake Discord server runs in this process; the bot runs in a child process (its RSS is its own), pointed at the
fake. The roster (students in classes of 30 with their mentors, staff, leadership, every one with a Discord account
in the guild) is stored before the start. RSS is read from /proc/<pid>/status: VmRSS once the bot has judged its
first message and 3 s later (idle), again after the stream (`--rate` msg/s for `--seconds`, 10% abusive, over all
channels), and VmHWM, the peak; after the stream also its split into the process's own memory (RssAnon) and pages of
mapped files (RssFile: mostly the e5 model, which is mmapped). The bot runs with its default settings, so with the
e5 tier; the whole school is measured once more with the text tier only (`ml_backend = "none"`), so the e5
tier's own share shows. Ends with `rss_idle_mb=<x> rss_after_mb=<y> peak_mb=<z>` (the whole school).
Goal: <= 150 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.database import upgrade
from moderation.roster import parse_roster, store_roster
from moderation.storage.engine import make_engine, make_session_factory
from tests.support.core import SAMPLE_PEOPLE, roster_csv
from tests.support.fake_discord import FakeDiscord
from tests.support.fake_discord.school import BOT_TOKEN, School, build_school

ABUSIVE = ("jij bent echt een sukkel (#{n})", "wat ben jij een idioot (#{n})", "hou je bek klootzak (#{n})")
CLEAN = ("hoe laat begint de les morgen? (#{n})", "ik ben er over vijf minuten (#{n})", "wie doet er mee (#{n})")
PER_CLASS = 30
BASE_ENV, GATEWAY_ENV = "SCHOOLWACHT_BENCH_DISCORD_BASE", "SCHOOLWACHT_BENCH_DISCORD_GATEWAY"


@dataclass
class Memory:
    people: int
    rooms: int
    first_mb: float
    idle_mb: float
    after_mb: float
    peak_mb: float
    deleted: int
    abusive: int
    anon_mb: float  # of after_mb: the process's own memory ...
    file_mb: (
        float  # ... and pages of mapped files (the e5 model, mmapped: shared, dropped by the kernel under pressure)
    )


def _status_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


def _school(people: int, rooms: int) -> tuple[School, list[dict[str, str]], list[int]]:
    """The fake guild and its roster: the sample school's people and channels, then generated students in classes
    of PER_CLASS (a mentor each), and channels up to `rooms`."""
    school = build_school()
    world = school.world
    roster = [
        {**row, "discord_id": str(school.accounts[row["id"]].id)}
        for row in SAMPLE_PEOPLE
        if row["id"] in school.accounts
    ]
    roster += [row for row in SAMPLE_PEOPLE if row["id"] not in school.accounts]
    channels = [school.klas.id]
    for n in range(rooms - 2):  # the announcement channel and klas-2b are the sample school's
        channels.append(world.add_channel(f"klas-{n}").id)
    c = 0
    while len(roster) < people:
        c += 1
        mentor = world.add_user(f"mentor{c}")
        roster.append(
            {"id": f"m{c}", "name": f"Mentor {c}", "role": "staff", "manager": "dir", "discord_id": str(mentor.id)}
        )
        for s in range(PER_CLASS):
            if len(roster) >= people:
                break
            user = world.add_user(f"leerling{c}-{s}")
            roster.append(
                {
                    "id": f"s{c}-{s}",
                    "name": f"Leerling {c}-{s}",
                    "role": "student",
                    "class": f"K{c}",
                    "mentor": f"m{c}",
                    "discord_id": str(user.id),
                }
            )
    return school, roster, channels


def _config(folder: Path, school: School, channels: list[int], roster: list[dict[str, str]], e5: bool) -> Path:
    url = f"sqlite:///{folder / 'schoolwacht.sqlite3'}"
    rooms = [
        f'[[rooms]]\nplatform = "discord"\nid = "{school.announcements.id}"\nname = "mededelingen-2b"\n'
        'kind = "announcement"\nposters = ["staff"]\nabuse_action = "delete"\n'
    ] + [
        f'[[rooms]]\nplatform = "discord"\nid = "{c}"\nname = "klas-{n}"\nkind = "class"\nabuse_action = "delete"\n'
        for n, c in enumerate(channels)
    ]
    config = folder / "schoolwacht.toml"
    config.write_text(
        f'[database]\nurl = "{url}"\n[bot]\nplatforms = ["discord"]\n'
        f"[discord]\nguild_id = {school.world.guild_id}\nstaff_role_id = {school.staff_role.id}\n"
        f"review_channel_id = {school.review.id}\n"
        + ("" if e5 else '[classifier]\nml_backend = "none"\n')
        + "".join(rooms),
        encoding="utf-8",
    )
    engine = make_engine(url)
    upgrade(engine)
    store_roster(make_session_factory(engine), parse_roster(roster_csv(roster)), datetime.now(UTC))
    engine.dispose()
    return config


async def measure(people: int, rooms: int, rate: float, seconds: float, e5: bool = True) -> Memory:
    school, roster, channels = _school(people, rooms)
    world = school.world
    deleted: set[int] = set()
    world.listeners.append(lambda event, data: deleted.add(data["id"]) if event == "MESSAGE_DELETE" else None)
    students = [int(r["discord_id"]) for r in roster if r.get("role") == "student" and r.get("discord_id")]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        config = _config(folder, school, channels, roster, e5)
        async with FakeDiscord(world).running() as fake:
            env = {
                **os.environ,
                "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
                "SCHOOLWACHT_DISCORD_TOKEN": BOT_TOKEN,
                BASE_ENV: fake.base_url,
                GATEWAY_ENV: fake.gateway_url,
            }
            log = (folder / "bot.log").open("wb")
            bot = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "benchmarks.bot_memory",
                "--bot",
                str(config),
                cwd=folder,
                env=env,
                stdout=log,
                stderr=log,
            )
            try:
                # Ready once it deletes a probe: one is posted every second until then (the first start watches
                # each channel from its start on, so a probe posted before it is not its business).
                started, probes = time.monotonic(), [0]
                while not any(p in deleted for p in probes):
                    if bot.returncode is not None or time.monotonic() - started > 120:
                        raise SystemExit(f"the bot did not start:\n{(folder / 'bot.log').read_text()[-3000:]}")
                    if time.monotonic() - started > len(probes):
                        probe = world.create_message(students[0], channels[0], ABUSIVE[0].format(n=len(probes)))
                        probes.append(probe.id)
                    await asyncio.sleep(0.05)
                first = _status_mb(bot.pid, "VmRSS")
                await asyncio.sleep(3)
                idle = _status_mb(bot.pid, "VmRSS")
                abusive = await _stream(world, students, channels, rate, seconds)
                for _ in range(400):
                    if all(i in deleted for i in abusive):
                        break
                    await asyncio.sleep(0.05)
                await asyncio.sleep(2)  # the cards and notices after the last one
                after, peak = _status_mb(bot.pid, "VmRSS"), _status_mb(bot.pid, "VmHWM")
                anon, mapped = _status_mb(bot.pid, "RssAnon"), _status_mb(bot.pid, "RssFile")
            finally:
                if bot.returncode is None:
                    bot.terminate()
                await bot.wait()
                log.close()
    return Memory(
        len(roster),
        len(channels) + 1,
        first,
        idle,
        after,
        peak,
        sum(i in deleted for i in abusive),
        len(abusive),
        anon,
        mapped,
    )


async def _stream(world: object, students: list[int], channels: list[int], rate: float, seconds: float) -> list[int]:
    pick = random.Random(16)
    abusive: list[int] = []
    start = time.perf_counter()
    for n in range(int(rate * seconds)):
        wait = start + n / rate - time.perf_counter()
        if wait > 0:
            await asyncio.sleep(wait)
        bad = n % 10 == 9
        text = (ABUSIVE if bad else CLEAN)[n % 3].format(n=n)
        message = world.create_message(pick.choice(students), pick.choice(channels), text)  # type: ignore[attr-defined]
        if bad:
            abusive.append(message.id)
    return abusive


def run_bot(config: str) -> None:
    """The child: the real `schoolwacht run`, with discord.py pointed at the fake server."""
    import yarl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import discord

    discord.http.Route.BASE = os.environ[BASE_ENV]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ[GATEWAY_ENV])
    from bot.cli import main

    sys.argv = ["schoolwacht", "run", "--config", config]
    main()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=1331)
    parser.add_argument("--rooms", type=int, default=50)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--bot", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args(argv)
    if args.bot:
        run_bot(args.bot)
        return
    small = asyncio.run(measure(len(SAMPLE_PEOPLE), 3, args.rate, args.seconds))
    school = asyncio.run(measure(args.people, args.rooms, args.rate, args.seconds))
    text_only = asyncio.run(measure(args.people, args.rooms, args.rate, args.seconds, e5=False))
    stream = f"{args.rate:.0f} msg/s for {args.seconds:.0f} s"
    print(f"`schoolwacht run` on Discord (the fake server), idle, then a stream of {stream}, 10% abusive")
    print(
        f"{'people':>7}{'rooms':>7}{'first MB':>10}{'idle MB':>9}{'after MB':>10}{'peak MB':>9}"
        "  deleted  after: own + files"
    )
    for m, tiers in ((small, "both tiers"), (school, "both tiers"), (text_only, "text tier only")):
        sizes = f"{m.first_mb:>10.0f}{m.idle_mb:>9.0f}{m.after_mb:>10.0f}{m.peak_mb:>9.0f}"
        print(
            f"{m.people:>7,}{m.rooms:>7}{sizes}  {m.deleted}/{m.abusive}  {m.anon_mb:.0f} + {m.file_mb:.0f} MB"
            f"  ({tiers})"
        )
    verdict = "met" if school.peak_mb <= 150 else "NOT met"
    print(
        f"the roster's and rooms' share: {school.idle_mb - small.idle_mb:+.0f} MB idle; goal peak <= 150 MB: {verdict}"
    )
    bot_verdict = "met" if text_only.peak_mb <= 150 else "NOT met"
    e5_share = school.peak_mb - text_only.peak_mb
    print(
        f"without the e5 tier: peak {text_only.peak_mb:.0f} MB, goal <= 150 MB: {bot_verdict}; the e5 tier's share "
        f"{e5_share:+.0f} MB (its own budget: <= 150 MB extra)"
    )
    print(f"rss_idle_mb={school.idle_mb:.0f} rss_after_mb={school.after_mb:.0f} peak_mb={school.peak_mb:.0f}")


if __name__ == "__main__":
    main()
