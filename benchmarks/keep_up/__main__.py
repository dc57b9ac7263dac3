"""The run: both bots on one Synapse, a warm-up, then each rate step for the bare bot and for schoolwacht."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aiohttp

from benchmarks.keep_up import __doc__ as ABOUT
from benchmarks.keep_up import bare_bot, full_bot
from benchmarks.keep_up.load import ACCOUNTS, Http, class_rooms, people, review_room, send_step
from benchmarks.keep_up.measure import Redactions, figures, settle, watch
from benchmarks.keep_up.processes import cpu_s, rss_mb, stop, wait_for_line
from benchmarks.keep_up.report import Step, row, summarise
from tests.support.postgres_cluster import own_cluster
from tests.support.synapse import SynapseServer, running_synapse


def bot_token(server: SynapseServer, user_id: str, password: str) -> str:
    """A login of its own for `schoolwacht run` (a device of its own, as an installation has)."""
    body = {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": user_id}, "password": password}
    return str(server.api("POST", "/_matrix/client/v3/login", "", body)["access_token"])


def postgres_database(port: int) -> dict[str, object]:
    """Synapse's `database` setting for a PostgreSQL cluster of the run's own (as a school runs it in production;
    Synapse's SQLite has one connection, so every card of the bot queues behind or in front of a redaction)."""
    args = {"user": "postgres", "host": "127.0.0.1", "port": port, "database": "postgres", "cp_min": 5, "cp_max": 10}
    # initdb's default locale: Synapse wants C collation for a shared server, not for a benchmark's own
    return {"name": "psycopg2", "allow_unsafe_locale": True, "args": args}


async def run(
    rates: Sequence[float],
    step_s: float,
    workdir: Path,
    root: Path = full_bot.ROOT,
    extra: Sequence[str] = (),
    database: dict[str, object] | None = None,
    receipts: bool = False,
) -> None:
    results: list[Step] = []
    overrides = {"database": database} if database is not None else None
    with running_synapse(workdir / "synapse", overrides=overrides) as server:
        accounts = {name: server.register(name) for name in ACCOUNTS}
        processes: list[subprocess.Popen[bytes]] = []
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100)) as session:
            http = Http(session, server.url)
            bare_rooms = await class_rooms(http, accounts, "barebot", "bare")
            full_rooms = await class_rooms(http, accounts, "bot", "sw")
            review = await review_room(http, accounts)
            config = full_bot.bot_config(workdir, server, accounts["bot"].user_id, full_rooms, review, extra)
            full_bot.store_people(workdir, people(accounts))
            found = Redactions()
            watcher = asyncio.create_task(watch(http, accounts["dir"].access_token, found))
            bare_log, full_log = workdir / "bare.log", workdir / "bot.log"
            bare = bare_bot.start_bare_bot(server.url, accounts["barebot"], bare_log)
            processes.append(bare)
            token = bot_token(server, accounts["bot"].user_id, accounts["bot"].password)
            full = full_bot.start_schoolwacht(config, token, full_log, root)
            processes.append(full)
            try:
                await asyncio.to_thread(wait_for_line, bare_log, bare_bot.READY, bare)
                await asyncio.to_thread(wait_for_line, full_log, full_bot.READY, full)
                print(f"schoolwacht started: RSS {rss_mb(full.pid):.0f} MB", flush=True)
                counter = 0
                for rooms in (bare_rooms, full_rooms):  # warm-up, not counted
                    await settle(found, await send_step(http, accounts, rooms, 10, 3, counter), 30)
                    counter += 30
                await asyncio.sleep(3)
                for rate in rates:
                    step: dict[str, dict[str, Any]] = {}
                    cpu: dict[str, tuple[float, float]] = {}  # per half: Synapse's CPU seconds, the bot's
                    for label, rooms, bot, process in (
                        ("bare", bare_rooms, accounts["barebot"].user_id, bare),
                        ("schoolwacht", full_rooms, accounts["bot"].user_id, full),
                    ):
                        before = cpu_s(server.pid), cpu_s(process.pid)
                        sent = await send_step(http, accounts, rooms, rate, step_s, counter, receipts=receipts)
                        counter += len(sent)
                        await settle(found, sent, 120)
                        step[label] = figures(found, sent, bot)
                        if process is full:
                            began = time.monotonic()
                            while full_bot.outbox_left(workdir)[1] and time.monotonic() - began < 120:
                                await asyncio.sleep(0.2)  # the cards of this step delivered before the next step
                            fanout = time.monotonic() - began
                        cpu[label] = cpu_s(server.pid) - before[0], cpu_s(process.pid) - before[1]
                    results.append((rate, step["bare"], step["schoolwacht"], fanout))
                    copies, messages, notices = full_bot.writes(workdir)
                    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
                    print(
                        f"-- {rate:g} msg/s, {step_s:g} s (cards finished {fanout:.1f} s after the last redaction; so "
                        f"far {copies} card copies in {messages} messages, {notices} notices; load average {load})"
                    )
                    print(row("bare bot", step["bare"]))
                    print(row("schoolwacht", step["schoolwacht"]))
                    print(
                        f"CPU seconds in the step: Synapse {cpu['bare'][0]:.1f} beside the bare bot "
                        f"({cpu['bare'][1]:.1f} the bot itself), {cpu['schoolwacht'][0]:.1f} beside schoolwacht, its "
                        f"cards included ({cpu['schoolwacht'][1]:.1f} schoolwacht itself)",
                        flush=True,
                    )
                incidents, left = full_bot.outbox_left(workdir)
                print(f"schoolwacht: {incidents} incidents, {left} owed actions pending; RSS {rss_mb(full.pid):.0f} MB")
                copies, messages, notices = full_bot.writes(workdir)
                each = (messages + notices) / incidents if incidents else 0.0
                print(
                    f"homeserver writes besides the redaction: {copies} card copies in {messages} messages and "
                    f"{notices} notices, {each:.2f} per incident"
                )
            finally:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher
                stop(processes)
    summarise(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=(ABOUT or "").splitlines()[0])
    parser.add_argument("--rates", default="20,30,40,50", help="the rate steps, messages per second")
    parser.add_argument("--step-s", type=float, default=15.0, help="seconds per step")
    parser.add_argument("--workdir", type=Path, help="keep Synapse's and both bots' logs here (default: a temp dir)")
    parser.add_argument(
        "--bot-root", type=Path, default=full_bot.ROOT, help="run `schoolwacht run` of this checkout (an older commit)"
    )
    parser.add_argument(
        "--bot-setting", action="append", default=[], help="a [bot] line for schoolwacht, e.g. 'card_burst_s = 0'"
    )
    parser.add_argument(
        "--synapse-db",
        choices=("sqlite", "postgres"),
        default="sqlite",
        help="Synapse's database: its SQLite file, or a PostgreSQL cluster of the run's own (needs "
        "`make .venv-synapse/.postgres`)",
    )
    parser.add_argument(
        "--receipts", action="store_true", help="each message read as a chat app does: a read receipt and typing"
    )
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",") if r.strip()]
    with contextlib.ExitStack() as stack:
        database = None
        if args.synapse_db == "postgres":
            database = postgres_database(stack.enter_context(own_cluster()).port)
        workdir = args.workdir or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        workdir.mkdir(parents=True, exist_ok=True)
        print(f"Synapse's database: {args.synapse_db}; read receipts and typing: {args.receipts}", flush=True)
        asyncio.run(run(rates, args.step_s, workdir, args.bot_root, args.bot_setting, database, args.receipts))


if __name__ == "__main__":
    main()
