"""Logging in: access token or password, one device kept across restarts, clear errors for a wrong secret."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.matrix.client import MatrixAdapter
from adapters.matrix.config import MatrixConfig, MatrixSecrets
from adapters.matrix.session import MatrixLoginError
from bot.app import Core
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
