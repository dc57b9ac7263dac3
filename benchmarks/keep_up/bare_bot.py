"""The yardstick: a bare matrix-nio bot that redacts every message holding the fixed word (no classifier, no
database), as its own process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from benchmarks.keep_up.load import WORD
from tests.support.synapse import Account

SOURCE = """
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
READY = "ready"  # the line it prints once it joined its rooms and long-polls


def start_bare_bot(homeserver: str, account: Account, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-c", SOURCE, homeserver, account.user_id, account.access_token, WORD],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(os.environ),
        )
