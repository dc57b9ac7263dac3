"""Fan-out of one announcement to many rooms on a real Synapse that rate-limits the bot: time until the last room
has it, beside what the limit allows.

    .venv/bin/python -m benchmarks.announcement_fanout [--rooms 60] [--rounds 3] [--per-second 10] [--burst 10]

Side by side, in the same run on the same Synapse (messages limited to `per_second` with a burst of `burst`, for the
bots only), alternating round by round:
  (a) a bare matrix-nio client sending the text to every room in turn (nio waits out M_LIMIT_EXCEEDED);
  (b) schoolwacht's path: one row per room queued in `announcement_posts` (SQLite), delivered by the Fanout through
      the MatrixAnnouncer and the adapter's own send path, each step recorded.
  (c) the same bare sends by an account the limit does not apply to: the round trips alone, on this machine.
The floor is what the limit itself allows: the burst goes at once, the rest at `per_second`, so
(rooms - burst) / per_second seconds; where the round trips (c) take longer than that, they are the floor. A round
ends when the homeserver has accepted the message for the last room.
Ends with one line: `floor_s=<> unlimited_s=<median> bare_s=<median> fanout_s=<median> fanout_vs_floor=<>
fanout_vs_bare=<>`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nio import AsyncClient, RoomSendResponse

from adapters.matrix.announcer import MatrixAnnouncer
from adapters.matrix.client import MatrixAdapter
from adapters.matrix.config import MatrixConfig, MatrixSecrets
from moderation.announcements.fanout import Fanout
from moderation.announcements.lease import DeliveryLease
from moderation.announcements.plan import Plan, WantedPost
from moderation.announcements.store import AnnouncementPosts
from moderation.model import AccountId, Platform
from tests.support.core import SAMPLE_PEOPLE, make_core
from tests.support.synapse import Account, SynapseServer, running_synapse


def create_rooms(server: SynapseServer, owner: Account, bots: list[Account], count: int) -> list[str]:
    rooms = []
    levels = {bot.user_id: 100 for bot in bots}
    for n in range(count):
        body = {
            "preset": "private_chat",
            "name": f"Mededelingen K{n}",
            "power_level_content_override": {"users": levels},
        }
        room_id = str(server.api("POST", "/_matrix/client/v3/createRoom", owner.access_token, body)["room_id"])
        for bot in bots:
            server.api(
                "POST", f"/_matrix/client/v3/rooms/{room_id}/invite", owner.access_token, {"user_id": bot.user_id}
            )
            server.api("POST", f"/_matrix/client/v3/rooms/{room_id}/join", bot.access_token, {})
        rooms.append(room_id)
    return rooms


async def bare_round(client: AsyncClient, rooms: list[str], text: str) -> float:
    started = time.perf_counter()
    for room_id in rooms:
        response = await client.room_send(room_id, "m.room.message", {"msgtype": "m.text", "body": text})
        if not isinstance(response, RoomSendResponse):
            raise RuntimeError(f"bare send failed: {response}")
    return time.perf_counter() - started


async def fanout_round(posts: AnnouncementPosts, fanout: Fanout, rooms: list[str], text: str) -> float:
    now = datetime.now(UTC)
    key = f"bench:{uuid.uuid4().hex[:12]}"
    wanted = tuple(WantedPost(key, Platform.MATRIX, room_id, text, "1", now) for room_id in rooms)
    started = time.perf_counter()
    posts.apply(Plan(wanted, frozenset(), now, now, prefix=key), now)
    progress = await fanout.deliver()
    elapsed = time.perf_counter() - started
    if progress.done != len(rooms):
        raise RuntimeError(f"fan-out reached {progress.done} of {len(rooms)} rooms ({progress})")
    return elapsed


async def measure(server: SynapseServer, args: argparse.Namespace, workdir: Path) -> None:
    admin = server.register("admin", admin=True)
    owner = server.register("jan")
    bot, bare = server.register("bot"), server.register("barebot")
    path = f"/_synapse/admin/v1/users/{owner.user_id}/override_ratelimit"
    server.api("POST", path, admin.access_token, {"messages_per_second": 0, "burst_count": 0})
    rooms = create_rooms(server, owner, [bot, bare], args.rooms)
    core = make_core(workdir, rooms=[], people=SAMPLE_PEOPLE, with_classifier=False)
    config = MatrixConfig(homeserver=server.url, user_id=bot.user_id, store_dir=workdir / "store", sync_timeout_ms=2000)
    adapter = MatrixAdapter(config, MatrixSecrets(access_token=bot.access_token), core.state)
    await adapter.start(core.moderator)
    posts = AnnouncementPosts(core.sessions, "bench")
    lease = DeliveryLease(core.sessions, "bench")  # as the bot delivers: holding its platform's lease
    fanout = Fanout(posts, {Platform.MATRIX: MatrixAnnouncer(adapter, core.moderator.texts)}, core.clock, lease=lease)
    client = AsyncClient(server.url, bare.user_id)
    client.access_token, client.user_id = bare.access_token, AccountId(bare.user_id)
    free = AsyncClient(server.url, owner.user_id)
    free.access_token, free.user_id = owner.access_token, AccountId(owner.user_id)
    free_s: list[float] = []
    bare_s: list[float] = []
    fanout_s: list[float] = []
    try:
        for n in range(args.rounds):
            free_s.append(await bare_round(free, rooms, f"2B: het 3e uur wiskunde vervalt ({n}, unlimited)"))
            await asyncio.sleep(args.burst / args.per_second + 1)  # both start each round with a full burst
            bare_s.append(await bare_round(client, rooms, f"2B: het 3e uur wiskunde vervalt ({n}, bare)"))
            await asyncio.sleep(args.burst / args.per_second + 1)
            fanout_s.append(await fanout_round(posts, fanout, rooms, f"2B: het 3e uur wiskunde vervalt ({n})"))
            print(f"round {n + 1}: unlimited {free_s[-1]:.2f}s  bare {bare_s[-1]:.2f}s  fanout {fanout_s[-1]:.2f}s")
    finally:
        await free.close()
        await client.close()
        await adapter.stop()
        core.close()
    free_median = statistics.median(free_s)
    floor = max(max(0, args.rooms - args.burst) / args.per_second, free_median)
    bare_median, fanout_median = statistics.median(bare_s), statistics.median(fanout_s)
    print(f"rooms={args.rooms} limit={args.per_second}/s burst={args.burst}")
    print(
        f"floor_s={floor:.2f} unlimited_s={free_median:.2f} bare_s={bare_median:.2f} fanout_s={fanout_median:.2f} "
        f"fanout_vs_floor={fanout_median / floor if floor else float('nan'):.2f} "
        f"fanout_vs_bare={fanout_median / bare_median:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rooms", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--per-second", type=float, default=10.0)
    parser.add_argument("--burst", type=int, default=10)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    limits: dict[str, Any] = {"rc_message": {"per_second": args.per_second, "burst_count": args.burst}}
    with tempfile.TemporaryDirectory() as tmp, running_synapse(Path(tmp) / "synapse", overrides=limits) as server:
        asyncio.run(measure(server, args, Path(tmp)))


if __name__ == "__main__":
    main()
