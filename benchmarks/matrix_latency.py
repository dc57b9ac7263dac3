"""The Matrix adapter's latency on a real Synapse: send → redaction visible to a second client.

    .venv/bin/python -m benchmarks.matrix_latency [--messages 60] [--rooms 1000]

Side by side, in the same run on the same Synapse, messages alternating between two rooms:
  (a) a bare matrix-nio bot that long-polls /sync and redacts every message it sees (no judging at all);
  (b) the full schoolwacht pipeline: MatrixAdapter → Moderator (rules, the text tier, an SQLite incident log) →
      redaction.
A watcher client long-polls /sync and stops the clock when it sees the redaction. Then, with --rooms > 0, the
restart figure: the bot joined to that many rooms, stopped, an abusive message sent while it is down, and the
time from `start()` to that message's redaction, beside the time of a raw first sync (no persisted token).
Ends with one line: `bare_ms=<median> pipeline_ms=<median> ratio=<b/a>`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
from nio import AsyncClient, AsyncClientConfig, RoomMessageText, SyncResponse

from adapters.matrix.client import MatrixAdapter
from adapters.matrix.config import MatrixConfig, MatrixSecrets
from moderation.model import AccountId, Platform
from tests.support.core import SAMPLE_PEOPLE, make_core
from tests.support.incidents import list_incidents
from tests.support.synapse import SynapseServer, running_synapse

# Made-up insults (not from any evaluation set); a counter keeps every text unique.
TEMPLATES = ("jij bent echt een sukkel {n}", "wat ben jij een idioot {n}", "hou je bek klootzak {n}", "jij hufter {n}")


class Http:
    """A tiny async client-server API caller for the sender and the watcher."""

    def __init__(self, session: aiohttp.ClientSession, url: str, token: str) -> None:
        self._session, self._url, self._token = session, url, token

    async def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self._token}"}
        async with self._session.request(method, self._url + path, json=body, headers=headers) as resp:
            data: dict[str, Any] = await resp.json()
            if resp.status != 200:
                raise RuntimeError(f"{method} {path}: {resp.status} {data}")
            return data

    async def send(self, room_id: str, text: str) -> str:
        path = f"/_matrix/client/v3/rooms/{quote(room_id)}/send/m.room.message/{uuid.uuid4().hex}"
        return str((await self.call("PUT", path, {"msgtype": "m.text", "body": text}))["event_id"])


class RedactionWatch:
    """A second client long-polling /sync; records when each redaction becomes visible."""

    def __init__(self, http: Http) -> None:
        self._http = http
        self.seen: dict[str, float] = {}
        self._waiters: dict[str, asyncio.Future[float]] = {}

    async def run(self) -> None:
        since = (await self._http.call("GET", "/_matrix/client/v3/sync?timeout=0"))["next_batch"]
        while True:
            sync = await self._http.call("GET", f"/_matrix/client/v3/sync?timeout=30000&since={since}")
            now = time.perf_counter()
            since = sync["next_batch"]
            for room in sync.get("rooms", {}).get("join", {}).values():
                for event in room.get("timeline", {}).get("events", []):
                    if event.get("type") == "m.room.redaction":
                        target = event.get("redacts") or event.get("content", {}).get("redacts")
                        self.seen[target] = now
                        waiter = self._waiters.pop(target, None)
                        if waiter is not None and not waiter.done():
                            waiter.set_result(now)

    async def wait(self, event_id: str, timeout: float = 30.0) -> float:
        if event_id in self.seen:
            return self.seen[event_id]
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiters[event_id] = future
        return await asyncio.wait_for(future, timeout)


async def bare_bot(client: AsyncClient, room_id: str, sender: str) -> None:
    """(a): long-poll, redact every message from `sender` in `room_id`. Nothing else."""
    since = (await client.sync(timeout=0)).next_batch
    while True:
        response = await client.sync(timeout=30000, since=since)
        if not isinstance(response, SyncResponse):
            await asyncio.sleep(0.5)
            continue
        since = response.next_batch
        info = response.rooms.join.get(room_id)
        for event in info.timeline.events if info else []:
            if isinstance(event, RoomMessageText) and event.sender == sender:
                await client.room_redact(room_id, event.event_id)


async def create_room(creator: Http, invite: list[str], bot: str, members: list[Http]) -> str:
    body = {"preset": "private_chat", "invite": invite, "power_level_content_override": {"users": {bot: 100}}}
    room_id = str((await creator.call("POST", "/_matrix/client/v3/createRoom", body))["room_id"])
    for member in members:
        await member.call("POST", f"/_matrix/client/v3/rooms/{quote(room_id)}/join", {})
    return room_id


def login(server: SynapseServer, user_id: str, password: str) -> str:
    body = {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": user_id}, "password": password}
    return str(server.api("POST", "/_matrix/client/v3/login", "", body)["access_token"])


def summary(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[max(0, round(0.9 * len(ordered)) - 1)]
    return f"{name}: n={len(values)} median={statistics.median(values):.1f} ms p90={p90:.1f} ms"


async def run(messages: int, rooms: int, workdir: Path) -> None:
    with running_synapse(workdir / "synapse") as server:
        accounts = {name: server.register(name) for name in ("bot", "barebot", "daan", "watcher")}
        people = [{**p, "matrix_id": accounts["daan"].user_id} if p["id"] == "daan" else p for p in SAMPLE_PEOPLE]
        async with aiohttp.ClientSession() as session:
            sender = Http(session, server.url, accounts["daan"].access_token)
            watcher_http = Http(session, server.url, accounts["watcher"].access_token)
            bot_id, bare_id = accounts["bot"].user_id, accounts["barebot"].user_id
            room_a = await create_room(watcher_http, [bare_id, accounts["daan"].user_id], bare_id, [sender])
            room_b = await create_room(watcher_http, [bot_id, accounts["daan"].user_id], bot_id, [sender])

            bare = AsyncClient(server.url, bare_id, config=AsyncClientConfig(encryption_enabled=False))
            bare.access_token, bare.user_id = accounts["barebot"].access_token, bare_id
            await bare.join(room_a)

            rooms_config = [
                {
                    "platform": "matrix",
                    "id": room_b,
                    "name": "klas-2b",
                    "kind": "student-run",
                    "abuse_action": "delete",
                    "notify_sender": False,
                    "staff_may_join": True,  # the room is a teacher's; R10's staff check is not what is measured
                }
            ]
            core = make_core(
                workdir,
                rooms=rooms_config,
                people=people,
                bot_accounts=frozenset({(Platform.MATRIX, AccountId(bot_id))}),
            )
            token = login(server, bot_id, accounts["bot"].password)
            config = MatrixConfig(homeserver=server.url, user_id=bot_id, store_dir=workdir / "store")
            adapter = MatrixAdapter(config, MatrixSecrets(access_token=token), core.state)
            await adapter.start(core.moderator)

            watch = RedactionWatch(watcher_http)
            tasks = [asyncio.create_task(watch.run()), asyncio.create_task(bare_bot(bare, room_a, sender_id(accounts)))]
            await asyncio.sleep(0.5)
            results: dict[str, list[float]] = {"bare": [], "pipeline": []}
            for n in range(messages + 3):  # the first 3 rounds warm up (connections, lexicon caches)
                for mode, room_id in (("bare", room_a), ("pipeline", room_b)):
                    text = TEMPLATES[n % len(TEMPLATES)].format(n=n)
                    start = time.perf_counter()
                    event_id = await sender.send(room_id, text)
                    seen = await watch.wait(event_id)
                    if n >= 3:
                        results[mode].append((seen - start) * 1000)
            print(summary("(a) bare nio bot     ", results["bare"]))
            print(summary("(b) schoolwacht      ", results["pipeline"]))
            with core.sessions() as session:
                recorded = len(list_incidents(session, limit=100_000))
            print(f"(b) incidents recorded: {recorded} of {messages + 3} messages (each judged by the text tier)")

            if rooms > 0:
                await restart_figure(server, accounts, adapter, core, sender, watch, rooms, room_b, token, config)
            else:
                await adapter.stop()
                print("restart: not measured (--rooms 0)")
            for task in tasks:
                task.cancel()
            await bare.close()
            core.close()
    bare_ms, pipe_ms = statistics.median(results["bare"]), statistics.median(results["pipeline"])
    print(f"bare_ms={bare_ms:.1f} pipeline_ms={pipe_ms:.1f} ratio={pipe_ms / bare_ms:.2f}")


def sender_id(accounts: dict[str, Any]) -> str:
    return str(accounts["daan"].user_id)


async def restart_figure(
    server: SynapseServer,
    accounts: dict[str, Any],
    adapter: MatrixAdapter,
    core: Any,
    sender: Http,
    watch: RedactionWatch,
    rooms: int,
    room_b: str,
    token: str,
    config: MatrixConfig,
) -> None:
    """Join the bot to `rooms` rooms, stop it, send while it is down, time restart → redaction."""
    bot_id = accounts["bot"].user_id
    filler = Http(sender._session, server.url, accounts["watcher"].access_token)
    bot_http = Http(sender._session, server.url, token)
    started = time.perf_counter()
    semaphore = asyncio.Semaphore(4)

    async def one(i: int) -> None:
        async with semaphore:
            room_id = str(
                (
                    await filler.call(
                        "POST", "/_matrix/client/v3/createRoom", {"preset": "private_chat", "invite": [bot_id]}
                    )
                )["room_id"]
            )
            await bot_http.call("POST", f"/_matrix/client/v3/rooms/{quote(room_id)}/join", {})

    await asyncio.gather(*(one(i) for i in range(rooms - 1)))  # plus the measured room: `rooms` in all
    print(f"restart: set up {rooms} joined rooms in {time.perf_counter() - started:.0f} s")
    await asyncio.sleep(2)  # let the running bot sync past the joins, so its persisted token is current
    await adapter.stop()

    raw = AsyncClient(server.url, bot_id, config=AsyncClientConfig(encryption_enabled=False))
    raw.access_token, raw.user_id = token, bot_id
    t0 = time.perf_counter()
    first = await raw.sync(timeout=0)
    first_sync_ms = (time.perf_counter() - t0) * 1000
    await raw.close()
    joined = len(first.rooms.join) if isinstance(first, SyncResponse) else -1

    event_id = await sender.send(room_b, "jij bent een sukkel, ook als de bot even weg is")
    again = MatrixAdapter(config, MatrixSecrets(access_token=token), core.state)
    t0 = time.perf_counter()
    await again.start(core.moderator)
    seen = await watch.wait(event_id, timeout=120)
    restart_ms = (seen - t0) * 1000
    await again.stop()
    print(
        f"restart: rooms={joined} first_sync_ms={first_sync_ms:.0f} (no token) "
        f"restart_to_redaction_ms={restart_ms:.0f} (persisted token)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=60, help="measured messages per mode (>= 50)")
    parser.add_argument("--rooms", type=int, default=1000, help="joined rooms for the restart figure (0: skip)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="matrix-latency-") as tmp:
        asyncio.run(run(args.messages, args.rooms, Path(tmp)))


if __name__ == "__main__":
    main()
