"""Linking is attached beside the other commands of a private chat: each command still reaches its own handler."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.linking import Commands, attach_link_commands
from bot.texts.nl import DUTCH
from moderation.model import Platform
from tests.support.core import make_core

say = DUTCH.linking


@dataclass
class DirectRooms:
    platform: Platform = Platform.MATRIX
    direct_commands: Commands | None = None


async def staff(platform: Platform, account: str, text: str, command_id: str = "") -> str | None:
    return "mededeling verstuurd" if text.startswith("!mededeling") else None


async def test_koppel_and_the_teachers_commands_share_the_direct_room(tmp_path: Path) -> None:
    core = make_core(tmp_path, rooms=[], extra_settings={"smtp": {"host": "127.0.0.1", "from": "bot@school.test"}})
    matrix = DirectRooms(direct_commands=staff)
    assert attach_link_commands(core, [matrix]) is not None and matrix.direct_commands is not None
    assert await matrix.direct_commands(Platform.MATRIX, "@x:school.test", "!mededeling 2b: geen les", "") == (
        "mededeling verstuurd"
    )
    assert await matrix.direct_commands(Platform.MATRIX, "@x:school.test", "!koppel", "") == say.how("!")
    assert await matrix.direct_commands(Platform.MATRIX, "@x:school.test", "hallo", "") is None
    without = make_core(tmp_path / "other", rooms=[])
    assert attach_link_commands(without, [DirectRooms()]) is None  # no [smtp]: no codes can be sent
