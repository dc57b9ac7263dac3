"""Logging in: access token or password, one device kept across restarts, clear errors for a wrong secret; no HTTP
session left open by a start that fails or a call after the client is closed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from adapters.matrix.calls import call
from adapters.matrix.client import MatrixAdapter
from adapters.matrix.config import MatrixConfig, MatrixSecrets
from adapters.matrix.session import ClientClosed, MatrixLoginError, login, make_client
from bot.app import Core
from moderation.ports import StoreUnavailable
from tests.adapters.matrix.helpers import School
from tests.adapters.matrix.test_rooms import running

pytestmark = pytest.mark.synapse


def adapter(school: School, core: Core, store_dir: Path, secrets: MatrixSecrets) -> MatrixAdapter:
    config = MatrixConfig(homeserver=school.server.url, user_id=school.uid("bot"), store_dir=store_dir)
    return MatrixAdapter(config, secrets, core.state)


async def test_password_login_keeps_its_device(school: School, tmp_path: Path, store_dir: Path) -> None:
    core = school.make_core(tmp_path, [])
    secrets = MatrixSecrets(password=school.accounts["bot"].password)
    async with running(core, adapter(school, core, store_dir, secrets)):
        first = json.loads((store_dir / "device.json").read_text())["device_id"]
    core = school.make_core(tmp_path, [])
    async with running(core, adapter(school, core, store_dir, secrets)):
        again = json.loads((store_dir / "device.json").read_text())["device_id"]
    assert first == again


async def test_a_token_of_someone_else_is_refused(school: School, tmp_path: Path, store_dir: Path) -> None:
    core = school.make_core(tmp_path, [])
    wrong = adapter(school, core, store_dir, MatrixSecrets(access_token=school.accounts["jan"].access_token))
    with pytest.raises(MatrixLoginError, match=r"belongs to @jan:school\.test"):
        await wrong.start(core.moderator)
    await wrong.stop()
    bad = adapter(school, core, store_dir, MatrixSecrets(access_token="syt_not_a_token"))
    with pytest.raises(MatrixLoginError, match="access token rejected"):
        await bad.start(core.moderator)
    await bad.stop()
    core.close()


async def test_a_closed_client_opens_no_new_session(school: School, store_dir: Path) -> None:
    """A call after close() (a notice a delivery worker still had in hand) fails at once, where nio would open a
    new HTTP session that nothing ever closes (garbage-collected later, during some other test)."""
    config = MatrixConfig(homeserver=school.server.url, user_id=school.uid("bot"), store_dir=store_dir)
    client = make_client(config)
    await login(client, config, MatrixSecrets(access_token=school.new_bot_token()))
    await client.close()
    with pytest.raises(ClientClosed):
        await call("whoami", client.whoami)
    assert client.client_session is None or client.client_session.closed


class FailingResume:
    """The real Moderator, except that the database is away when the adapter resumes what a stop left undone."""

    def __init__(self, moderator: Any) -> None:
        self._moderator = moderator

    def __getattr__(self, name: str) -> Any:
        return getattr(self._moderator, name)

    async def resume(self, platform: Any, enforcer: Any) -> None:
        raise StoreUnavailable("connection refused")


async def test_a_start_that_fails_after_the_login_leaves_no_session_open(
    school: School, tmp_path: Path, store_dir: Path
) -> None:
    core = school.make_core(tmp_path, [])
    matrix = school.adapter(core, store_dir)
    with pytest.raises(StoreUnavailable):
        await matrix.start(FailingResume(core.moderator))
    client = matrix._client
    assert client is not None and client.closed
    assert client.client_session is None or client.client_session.closed
    core.close()
