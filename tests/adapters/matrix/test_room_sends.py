"""Sends into an encrypted direct room side by side (as the outbox's workers do them), on the real Synapse: every
message decrypts on the reader's own device."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from nio import AsyncClient, MegolmEvent, RoomMessageNotice

from adapters.matrix.config import MatrixConfig, MatrixSecrets
from adapters.matrix.enforcer import MatrixEnforcer, notice
from adapters.matrix.room_sends import RoomSends
from adapters.matrix.session import crypto_housekeeping, login, make_client
from bot.texts.nl import DUTCH
from moderation.model import AccountId
from tests.adapters.matrix.helpers import School, e2e_client, eventually

pytestmark = pytest.mark.synapse


async def bot_hands(school: School, tmp_path: Path) -> tuple[AsyncClient, MatrixEnforcer]:
    """The bot's own client and enforcer, as the adapter builds them (without its sync loop)."""
    config = MatrixConfig(
        homeserver=school.server.url,
        user_id=school.uid("bot"),
        store_dir=tmp_path / "bot-store",
        encrypt_direct_rooms=True,
        max_backoff_s=0.5,
    )
    client = make_client(config)
    await login(client, config, MatrixSecrets(access_token=school.new_bot_token()))
    await crypto_housekeeping(client)  # the bot's device keys go up, as at the adapter's start
    core = school.make_core(tmp_path, [])
    enforcer = MatrixEnforcer(client, config, core.state, str, DUTCH)
    enforcer.room_sends = RoomSends(client, attempts=2, max_delay=0.5)
    return client, enforcer


async def test_sends_side_by_side_all_decrypt(school: School, tmp_path: Path) -> None:
    jan = await e2e_client(school, "jan", tmp_path / "jan-phone")
    client, enforcer = await bot_hands(school, tmp_path)
    try:
        dm = await enforcer.direct_room(AccountId(school.uid("jan")))
        first = asyncio.create_task(enforcer.send(dm, notice("een")))
        # The second send starts just as the first has read the members and waits for Jansen's devices: on its own,
        # nio would share the room key before his devices are known.
        while not client.rooms[dm].members_synced and not first.done():
            await asyncio.sleep(0)
        second = asyncio.create_task(enforcer.send(dm, notice("twee")))
        await asyncio.gather(first, second)
        # A key share that failed halfway leaves nio's mark on the room: the next send does not wait for it forever.
        client.sharing_session[dm] = asyncio.Event()
        client.invalidate_outbound_session(dm)
        await asyncio.wait_for(enforcer.send(dm, notice("drie")), timeout=10)

        bodies: list[str] = []
        await eventually(lambda: _read(jan, dm, bodies), what="three messages on Jansen's phone")
        assert bodies == ["een", "twee", "drie"]
    finally:
        await client.close()
        await jan.close()


async def _read(client: Any, room_id: str, bodies: list[str]) -> bool:
    """Sync the reader's client (joining the invite); collect the bot's messages, failing on one that cannot be
    decrypted (it never will be)."""
    response = await client.sync(timeout=0)
    if room_id in response.rooms.invite:
        await client.join(room_id)
    joined = response.rooms.join.get(room_id)
    for event in joined.timeline.events if joined is not None else ():
        assert not isinstance(event, MegolmEvent), f"undecryptable on the reader's device: {event.event_id}"
        if isinstance(event, RoomMessageNotice):
            bodies.append(event.body)
    return len(bodies) == 3
