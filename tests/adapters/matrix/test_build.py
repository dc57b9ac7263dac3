"""The composition root's way in: `matrix_adapter(core)` from the `[matrix]` settings and the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.matrix.config import MatrixConfigError
from bot.platforms import matrix_adapter
from moderation.digest import DigestSink
from tests.adapters.matrix.helpers import School, incidents, room
from tests.adapters.matrix.test_rooms import running

pytestmark = pytest.mark.synapse


async def test_matrix_adapter_from_settings_and_env(
    school: School, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    room_id = await school.create_room("jan", members=("sanne",), levels={"bot": 100})
    token_file = tmp_path / "token"
    token_file.write_text(school.new_bot_token() + "\n")
    monkeypatch.setenv("SCHOOLWACHT_MATRIX_TOKEN_FILE", str(token_file))
    matrix = {"homeserver": school.server.url, "user_id": school.uid("bot"), "store_dir": str(tmp_path / "store")}
    core = school.make_core(tmp_path, [room(room_id, "announcement")], extra_settings={"matrix": matrix})
    adapter = matrix_adapter(core)
    assert isinstance(adapter, DigestSink)
    async with running(core, adapter):
        levels = await school.power_levels("jan", room_id)
        assert levels["events_default"] == 50
        assert incidents(core) == []


def test_matrix_adapter_without_settings_or_secret(
    school: School, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    core = school.make_core(tmp_path, [])
    with pytest.raises(MatrixConfigError, match=r"\[matrix\] settings are missing"):
        matrix_adapter(core)
    core.close()
    for name in ("SCHOOLWACHT_MATRIX_TOKEN", "SCHOOLWACHT_MATRIX_TOKEN_FILE", "SCHOOLWACHT_MATRIX_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    matrix = {"homeserver": school.server.url, "user_id": school.uid("bot")}
    core = school.make_core(tmp_path / "b", [], extra_settings={"matrix": matrix})
    with pytest.raises(MatrixConfigError, match="no Matrix login secret"):
        matrix_adapter(core)
    core.close()


def test_read_reactions_reach_the_adapter_from_the_settings(
    school: School, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCHOOLWACHT_MATRIX_TOKEN", "not-used-here")
    matrix = {"homeserver": school.server.url, "user_id": school.uid("bot")}
    core = school.make_core(tmp_path, [], extra_settings={"matrix": matrix})
    assert matrix_adapter(core).config.read_reactions is True  # on unless turned off, as Discord's button is
    core.close()
    core = school.make_core(tmp_path / "off", [], extra_settings={"matrix": {**matrix, "read_reactions": False}})
    assert matrix_adapter(core).config.read_reactions is False
    core.close()
