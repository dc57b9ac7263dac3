"""At start, an announcement room whose posters name someone not in the roster (or nobody) is warned about:
otherwise that teacher's timetable change would be removed as if a student had posted it."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from moderation.model import AccountId, EventId, Message, Platform, RoomId
from tests.support.core import make_core
from tests.support.fakes import RecordingEnforcer

ROOMS: list[dict[str, Any]] = [
    {"platform": "console", "id": "info-2b", "name": "info-2b", "kind": "announcement", "posters": ["jansen", "eva"]},
    {"platform": "console", "id": "leeg", "name": "leeg", "kind": "announcement", "posters": []},
    {"platform": "console", "id": "klas", "name": "klas", "kind": "class", "posters": ["nobody"]},
    {"platform": "console", "id": "info", "name": "info", "kind": "announcement"},
]


async def test_unknown_and_missing_posters_are_warned_about_at_start(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.app"):
        core = make_core(tmp_path, rooms=ROOMS, with_classifier=False)
    warnings = [r.getMessage() for r in caplog.records if r.name == "bot.app"]
    assert warnings == [
        "room 'info-2b' (console): poster 'jansen' is not in the roster, so they cannot post there",
        "room 'leeg' (console): posters is empty, so nobody may post there",
    ]  # 'eva' is in the roster; a class room's posters do not matter; 'info' lets all staff post
    # the listed person who is in the roster may post there
    said = Message(
        Platform.CONSOLE, RoomId("info-2b"), EventId("e1"), AccountId("eva"), "3e uur vervalt", core.clock.now()
    )
    assert (await core.moderator.handle(said, RecordingEnforcer())).verdict is None
