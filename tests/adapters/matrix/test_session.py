"""The bot's session between syncs, on a real Synapse: Synapse lists the bot's own user among the changed device
lists, and the bot does not ask for its own devices again each time (a round trip in front of the next sync)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from nio import SyncResponse

from adapters.matrix.config import MatrixConfig, MatrixSecrets
from adapters.matrix.session import crypto_housekeeping, login, make_client
from tests.adapters.matrix.helpers import School

pytestmark = pytest.mark.synapse


async def test_the_bots_own_devices_are_asked_for_once_not_after_every_sync(school: School, store_dir: Path) -> None:
    room_id = await school.create_room("sanne", encrypted=True)  # a reviewer's direct room, say
    await school.api("bot", "POST", f"/_matrix/client/v3/rooms/{quote(room_id)}/join", {})
    config = MatrixConfig(homeserver=school.server.url, user_id=school.uid("bot"), store_dir=store_dir)
    client = make_client(config)
    await login(client, config, MatrixSecrets(access_token=school.new_bot_token()))
    queries: list[set[str]] = []
    query = client.keys_query

    async def counted() -> Any:
        queries.append(set(client.users_for_key_query))
        return await query()

    client.keys_query = counted  # type: ignore[method-assign]
    try:
        first = await client.sync(timeout=0)
        assert isinstance(first, SyncResponse)
        await crypto_housekeeping(client)  # its keys uploaded (a new device); its and sanne's devices asked for
        assert client.user_id in client.olm.tracked_users and len(queries) == 1  # type: ignore[union-attr]
        later = await client.sync(timeout=0, since=first.next_batch)
        assert isinstance(later, SyncResponse)
        assert client.user_id in later.device_list.changed  # the upload: Synapse says the bot's devices changed
        await crypto_housekeeping(client)
        assert len(queries) == 1, queries
    finally:
        await client.close()
