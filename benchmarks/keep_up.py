"""Keeping up with the homeserver under load: send → redaction, a bare bot beside the whole `schoolwacht run`.

    SCHOOLWACHT_SYNAPSE_PYTHON=.venv-synapse/bin/python .venv/bin/python -m benchmarks.keep_up \
        [--rates 20,30,40,50] [--step-s 15]

One real Synapse (started as the tests start it). Ten students in five class rooms send at a fixed rate, one step
per rate; every tenth message is abusive (it holds the fixed word, and the text tier calls it an insult or a
threat). Per step, first:
  (a) a bare matrix-nio bot as its own process: long-polls /sync and redacts every message with the fixed word
      (no classifier, no database), in five rooms of its own;
  (b) then `schoolwacht run` as its own process (SQLite incident log, the text tier, reviewers' cards in their
      direct rooms, the overview room, a notice to the student) in five other rooms.
Send → redaction is the redaction's server timestamp minus the moment the send began (one machine, one clock).
A watcher counts the redactions per message: every abusive message redacted exactly once, nothing else redacted.
A step is kept up when its p90 stays under 250 ms; the sustainable rate is the highest step kept up.
Ends with one line: `bare_p50_ms=<..> pipeline_p50_ms=<..> p50_ratio=<..> sustainable_ratio=<..> exactly_once=<..>`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
from sqlalchemy import func, select

from adapters.matrix.config import TOKEN_ENV
from bot.database import upgrade
from moderation.roster import parse_roster, store_roster
from moderation.storage.engine import make_engine, make_session_factory
from moderation.storage.incidents import IncidentRow, OutboxRow
from tests.support.core import roster_csv
from tests.support.synapse import Account, SynapseServer, running_synapse

ROOT = Path(__file__).resolve().parents[1]
WORD = "sukkel"  # the bare bot's fixed word; every abusive message holds it
ABUSIVE = ("jij bent een {w} {n}", "ik maak je af {w} {n}", "wat ben jij een vieze {w} {n}")
HARMLESS = ("wie heeft het huiswerk van wiskunde {n}", "morgen om half negen bij lokaal 12? {n}", "lol ja klopt {n}")
KEPT_UP_P90_MS = 250.0
STUDENTS = [f"leerling{n:02d}" for n in range(1, 11)]
MENTORS = [f"mentor{n}" for n in range(1, 6)]
BARE_BOT_SOURCE = """
import asyncio, sys
from nio import AsyncClient, AsyncClientConfig, RoomMessageText, SyncResponse

FILTER = {"room": {"timeline": {"limit": 1000}, "state": {"lazy_load_members": True}}}  # no event left out

async def main(url, user, token, word):
    client = AsyncClient(url, user, config=AsyncClientConfig(encryption_enabled=False))
    client.restore_login(user, "BAREBOT", token)
    first = await client.sync(timeout=0)
    for room_id in first.rooms.invite:
        await client.join(room_id)
    since = (await client.sync(timeout=0, since=first.next_batch)).next_batch
    print("ready", flush=True)
    while True:
        response = await client.sync(timeout=30000, since=since, sync_filter=FILTER)
        if not isinstance(response, SyncResponse):
            await asyncio.sleep(0.5)
            continue
        since = response.next_batch
        for room_id, info in response.rooms.join.items():
            for event in info.timeline.events:
                if isinstance(event, RoomMessageText) and event.sender != user and word in event.body:
                    await client.room_redact(room_id, event.event_id)

asyncio.run(main(*sys.argv[1:5]))
"""


@dataclass
class Sent:
    event_id: str
    at_ms: float  # wall clock when the send began
    send_ms: float  # how long the homeserver took to accept it
    abusive: bool


@dataclass
class Redactions:
    """Every redaction the watcher saw: target event id -> [(sender, server timestamp ms)]."""

    seen: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


class Http:
    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self._session, self._url = session, url

    async def call(self, token: str, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"}
        async with self._session.request(method, self._url + path, json=body, headers=headers) as resp:
            data: dict[str, Any] = await resp.json()
            if resp.status != 200:
                raise RuntimeError(f"{method} {path}: {resp.status} {data}")
            return data


WATCH_FILTER = json.dumps(
    {
        "presence": {"types": []},
        "account_data": {"types": []},
        "room": {
            "timeline": {"types": ["m.room.redaction"], "limit": 1000},
            "state": {"types": []},
            "ephemeral": {"types": []},
            "account_data": {"types": []},
        },
    }
)


async def watch(http: Http, token: str, found: Redactions) -> None:
    since = (await http.call(token, "GET", f"/_matrix/client/v3/sync?timeout=0&filter={quote(WATCH_FILTER)}"))[
        "next_batch"
    ]
    while True:
        path = f"/_matrix/client/v3/sync?timeout=30000&since={quote(since)}&filter={quote(WATCH_FILTER)}"
        sync = await http.call(token, "GET", path)
        since = sync["next_batch"]
        for room in sync.get("rooms", {}).get("join", {}).values():
            for event in room.get("timeline", {}).get("events", []):
                if event.get("type") == "m.room.redaction":
                    target = event.get("redacts") or event.get("content", {}).get("redacts")
                    found.seen.setdefault(str(target), []).append((event["sender"], int(event["origin_server_ts"])))


def people(accounts: dict[str, Account]) -> list[dict[str, str]]:
    """The roster: leadership (the watcher among them), a coordinator, a manager, five mentors, ten students."""
    staff = [
        {"id": "dir", "name": "Directeur De Boer", "role": "staff", "leadership": "yes"},
        {"id": "adjunct", "name": "Mevr. Peters", "role": "staff", "leadership": "yes", "manager": "dir"},
        {"id": "afdeling", "name": "Meneer Kok", "role": "staff", "leadership": "yes", "manager": "dir"},
        {"id": "abc", "name": "Mevr. Yilmaz", "role": "staff", "manager": "dir", "coordinator": "yes"},
    ]
    staff += [{"id": m, "name": f"Docent {m[-1]}", "role": "staff", "manager": "afdeling"} for m in MENTORS]
    students = [
        {"id": s, "name": f"Leerling {s[-2:]}", "role": "student", "class": f"2{n // 2}", "mentor": MENTORS[n // 2]}
        for n, s in enumerate(STUDENTS)
    ]
    return [{**p, "matrix_id": accounts[p["id"]].user_id} for p in [*staff, *students]]


async def class_rooms(http: Http, accounts: dict[str, Account], bot: str, label: str) -> list[str]:
    """Five class rooms made by the watcher (school leadership), two students in each, `bot` invited as admin."""
    made: list[str] = []
    creator = accounts["dir"].access_token
    for n in range(5):
        members = [accounts[s] for s in STUDENTS[2 * n : 2 * n + 2]]
        body = {
            "preset": "private_chat",
            "name": f"{label}-klas-{n}",
            "invite": [m.user_id for m in members] + [accounts[bot].user_id],
            "power_level_content_override": {"users": {accounts[bot].user_id: 100}},  # room v12: never the creator
        }
        room_id = str((await http.call(creator, "POST", "/_matrix/client/v3/createRoom", body))["room_id"])
        for member in members:
            await http.call(member.access_token, "POST", f"/_matrix/client/v3/rooms/{quote(room_id)}/join", {})
        made.append(room_id)
    return made


def bot_config(workdir: Path, server: SynapseServer, bot: str, rooms: Sequence[str], review: str) -> Path:
    url = f"sqlite:///{workdir / 'schoolwacht.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    listed = "".join(
        f'\n[[rooms]]\nplatform = "matrix"\nid = "{r}"\nname = "klas-{n}"\nkind = "class"\nabuse_action = "delete"\n'
        for n, r in enumerate(rooms)
    )
    path = workdir / "schoolwacht.toml"
    path.write_text(
        f'[database]\nurl = "{url}"\n\n[bot]\nplatforms = ["matrix"]\ndelivery_workers = 4\n\n'
        '[classifier]\nml_backend = "none"\n\n'
        f'[matrix]\nhomeserver = "{server.url}"\nuser_id = "{bot}"\nstore_dir = "matrix-store"\n'
        f'review_room = "{review}"\n{listed}',
        encoding="utf-8",
    )
    return path


def store_people(workdir: Path, roster: list[dict[str, str]]) -> None:
    engine = make_engine(f"sqlite:///{workdir / 'schoolwacht.sqlite3'}")
    store_roster(make_session_factory(engine), parse_roster(roster_csv(roster)), datetime.now(UTC))
    engine.dispose()


def wait_for_line(log: Path, text: str, process: subprocess.Popen[bytes], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while text not in (log.read_text("utf-8", "replace") if log.exists() else ""):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"no {text!r} in {log}:\n{log.read_text('utf-8', 'replace')[-3000:]}")
        time.sleep(0.1)


async def send_step(
    http: Http, accounts: dict[str, Account], rooms: Sequence[str], rate: float, seconds: float, start_n: int
) -> list[Sent]:
    """`rate` messages a second for `seconds`, from the ten students in turn; every tenth abusive."""
    sent: list[Sent] = []
    pending: list[asyncio.Task[None]] = []
    begin = time.monotonic()

    async def one(n: int) -> None:
        student = STUDENTS[n % len(STUDENTS)]
        room = rooms[STUDENTS.index(student) // 2]
        abusive = n % 10 == 7
        templates = ABUSIVE if abusive else HARMLESS
        text = templates[(n // 10) % len(templates)].format(w=WORD, n=n)
        path = f"/_matrix/client/v3/rooms/{quote(room)}/send/m.room.message/{uuid.uuid4().hex}"
        at = time.time() * 1000
        answer = await http.call(accounts[student].access_token, "PUT", path, {"msgtype": "m.text", "body": text})
        sent.append(Sent(str(answer["event_id"]), at, time.time() * 1000 - at, abusive))

    total = int(rate * seconds)
    for i in range(total):
        await asyncio.sleep(max(0.0, begin + i / rate - time.monotonic()))
        pending.append(asyncio.create_task(one(start_n + i)))
    await asyncio.gather(*pending)
    return sent


async def settle(found: Redactions, sent: Sequence[Sent], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while any(s.abusive and s.event_id not in found.seen for s in sent) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)


def figures(found: Redactions, sent: Sequence[Sent], bot: str) -> dict[str, Any]:
    latencies = sorted(found.seen[s.event_id][0][1] - s.at_ms for s in sent if s.abusive and s.event_id in found.seen)
    abusive = [s for s in sent if s.abusive]
    by_bot = [sum(1 for sender, _ts in found.seen.get(s.event_id, []) if sender == bot) for s in abusive]
    wrong = sum(1 for s in sent if not s.abusive and s.event_id in found.seen)

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else float("nan")

    return {
        "n": len(abusive),
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p90": pct(0.9),
        "p99": pct(0.99),
        "once": sum(1 for c in by_bot if c == 1),
        "missing": sum(1 for c in by_bot if c == 0),
        "twice": sum(1 for c in by_bot if c > 1),
        "wrong": wrong,
        "send": statistics.median(s.send_ms for s in sent) if sent else float("nan"),
        # From the moment the homeserver answered the send: what is left when the homeserver itself is slow.
        "after_accept": statistics.median(
            found.seen[s.event_id][0][1] - s.at_ms - s.send_ms for s in sent if s.abusive and s.event_id in found.seen
        )
        if latencies
        else float("nan"),
    }


def outbox_left(workdir: Path) -> tuple[int, int]:
    """(incidents, owed actions still pending) in the bot's incident log."""
    engine = make_engine(f"sqlite:///{workdir / 'schoolwacht.sqlite3'}")
    try:
        with make_session_factory(engine)() as session:
            incidents = session.scalar(select(func.count()).select_from(IncidentRow)) or 0
            left = session.scalar(select(func.count()).select_from(OutboxRow).where(OutboxRow.status == "pending"))
            return int(incidents), int(left or 0)
    finally:
        engine.dispose()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def row(label: str, f: dict[str, Any]) -> str:
    return (
        f"{label:<12} p50 {f['p50']:7.0f}  p90 {f['p90']:7.0f}  p99 {f['p99']:7.0f} ms   "
        f"redacted once {f['once']}/{f['n']} (missing {f['missing']}, twice {f['twice']}, harmless {f['wrong']}); "
        f"send itself p50 {f['send']:.0f} ms, accepted → redaction p50 {f['after_accept']:.0f} ms"
    )


async def run(rates: Sequence[float], step_s: float, workdir: Path) -> None:
    names = ["bot", "barebot", "dir", "adjunct", "afdeling", "abc", *MENTORS, *STUDENTS]
    with running_synapse(workdir / "synapse") as server:
        accounts = {name: server.register(name) for name in names}
        roster = people(accounts)
        processes: list[subprocess.Popen[bytes]] = []
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100)) as session:
            http = Http(session, server.url)
            bare_rooms = await class_rooms(http, accounts, "barebot", "bare")
            full_rooms = await class_rooms(http, accounts, "bot", "sw")
            review = str(
                (await http.call(accounts["dir"].access_token, "POST", "/_matrix/client/v3/createRoom", {}))["room_id"]
            )
            await http.call(
                accounts["dir"].access_token,
                "POST",
                f"/_matrix/client/v3/rooms/{quote(review)}/invite",
                {"user_id": accounts["bot"].user_id},
            )
            config = bot_config(workdir, server, accounts["bot"].user_id, full_rooms, review)
            store_people(workdir, roster)
            found = Redactions()
            watcher = asyncio.create_task(watch(http, accounts["dir"].access_token, found))
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            bare_log, full_log = workdir / "bare.log", workdir / "bot.log"
            with bare_log.open("ab") as out:
                bare = subprocess.Popen(
                    [
                        sys.executable,
                        "-c",
                        BARE_BOT_SOURCE,
                        server.url,
                        accounts["barebot"].user_id,
                        accounts["barebot"].access_token,
                        WORD,
                    ],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env=env,
                )
            processes.append(bare)
            token = server.api(
                "POST",
                "/_matrix/client/v3/login",
                "",
                {
                    "type": "m.login.password",
                    "identifier": {"type": "m.id.user", "user": accounts["bot"].user_id},
                    "password": accounts["bot"].password,
                },
            )["access_token"]
            with full_log.open("ab") as out:
                full = subprocess.Popen(
                    [sys.executable, "-m", "bot", "run", "--config", str(config)],
                    cwd=str(workdir),
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env={**env, TOKEN_ENV: str(token)},
                )
            processes.append(full)
            try:
                await asyncio.to_thread(wait_for_line, bare_log, "ready", bare)
                await asyncio.to_thread(wait_for_line, full_log, "matrix adapter started", full)
                print(f"schoolwacht started: RSS {rss_mb(full.pid):.0f} MB", flush=True)
                counter = 0
                for rooms in (bare_rooms, full_rooms):  # warm-up, not counted
                    await settle(found, await send_step(http, accounts, rooms, 10, 3, counter), 30)
                    counter += 30
                await asyncio.sleep(3)
                results: list[tuple[float, dict[str, Any], dict[str, Any], float]] = []
                for rate in rates:
                    step: dict[str, dict[str, Any]] = {}
                    for label, rooms, bot in (
                        ("bare", bare_rooms, accounts["barebot"].user_id),
                        ("schoolwacht", full_rooms, accounts["bot"].user_id),
                    ):
                        sent = await send_step(http, accounts, rooms, rate, step_s, counter)
                        counter += len(sent)
                        await settle(found, sent, 120)
                        step[label] = figures(found, sent, bot)
                    began = time.monotonic()
                    while outbox_left(workdir)[1] and time.monotonic() - began < 120:
                        await asyncio.sleep(0.2)  # the cards of this step delivered before the next step
                    fanout = time.monotonic() - began
                    results.append((rate, step["bare"], step["schoolwacht"], fanout))
                    print(f"-- {rate:g} msg/s, {step_s:g} s (cards finished {fanout:.1f} s after the last redaction)")
                    print(row("bare bot", step["bare"]))
                    print(row("schoolwacht", step["schoolwacht"]), flush=True)
                incidents, left = outbox_left(workdir)
                print(f"schoolwacht: {incidents} incidents, {left} owed actions pending; RSS {rss_mb(full.pid):.0f} MB")
            finally:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher
                for process in processes:
                    process.terminate()
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        process.wait(timeout=30)
                    if process.poll() is None:
                        process.kill()
    summarise(results)


def summarise(results: Sequence[tuple[float, dict[str, Any], dict[str, Any], float]]) -> None:
    print(f"\n{'rate':>6} | {'bare p50/p90/p99 ms':>22} | {'schoolwacht p50/p90/p99 ms':>27} | p50 ratio")
    for rate, bare, full, _fanout in results:
        b = f"{bare['p50']:.0f} / {bare['p90']:.0f} / {bare['p99']:.0f}"
        f = f"{full['p50']:.0f} / {full['p90']:.0f} / {full['p99']:.0f}"
        print(f"{rate:>6g} | {b:>22} | {f:>27} | {full['p50'] / bare['p50']:.2f}")
    kept_bare = max((r for r, b, _f, _o in results if b["p90"] < KEPT_UP_P90_MS), default=0.0)
    kept_full = max((r for r, _b, f, _o in results if f["p90"] < KEPT_UP_P90_MS), default=0.0)
    exact = all(f["once"] == f["n"] and not f["wrong"] for _r, _b, f, _o in results)
    worst = max(f["p50"] / b["p50"] for _r, b, f, _o in results if b["p90"] < KEPT_UP_P90_MS) if kept_bare else 0.0
    print(
        f"sustainable (p90 < {KEPT_UP_P90_MS:.0f} ms): bare {kept_bare:g} msg/s, schoolwacht {kept_full:g} msg/s; "
        f"worst p50 ratio where the bare bot keeps up: {worst:.2f}"
    )
    bare_p50 = statistics.median(b["p50"] for _r, b, _f, _o in results)
    full_p50 = statistics.median(f["p50"] for _r, _b, f, _o in results)
    ratio = kept_full / kept_bare if kept_bare else 0.0
    print(
        f"bare_p50_ms={bare_p50:.0f} pipeline_p50_ms={full_p50:.0f} p50_ratio={full_p50 / bare_p50:.2f} "
        f"sustainable_ratio={ratio:.2f} exactly_once={'yes' if exact else 'no'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="20,30,40,50", help="the rate steps, messages per second")
    parser.add_argument("--step-s", type=float, default=15.0, help="seconds per step")
    parser.add_argument("--workdir", type=Path, help="keep Synapse's and both bots' logs here (default: a temp dir)")
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",") if r.strip()]
    if args.workdir is not None:
        args.workdir.mkdir(parents=True, exist_ok=True)
        asyncio.run(run(rates, args.step_s, args.workdir))
        return
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(run(rates, args.step_s, Path(tmp)))


if __name__ == "__main__":
    main()
