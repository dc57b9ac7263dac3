"""The configured rooms are kept in the incident log (kind and name), on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from bot.database import upgrade
from moderation.incidents.rooms import stored_rooms, sync_rooms
from moderation.model import Platform, Room, RoomId, RoomKind
from moderation.storage.engine import make_engine, make_session_factory
from tests.support.core import make_core

INFO = Room(Platform.MATRIX, RoomId("!info:school.nl"), "mededelingen-2b", RoomKind.ANNOUNCEMENT)
KLAS = Room(Platform.DISCORD, RoomId("1234"), "klas-2b", RoomKind.CLASS)


def test_sync_inserts_updates_and_keeps_rooms_no_longer_configured(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        sessions = make_session_factory(engine)
        assert sync_rooms(sessions, [INFO, KLAS]) == 2
        assert sync_rooms(sessions, [INFO, KLAS]) == 0  # a restart changes nothing
        renamed = Room(KLAS.platform, KLAS.id, "klas-2b-nieuw", RoomKind.STUDENT_RUN)
        assert sync_rooms(sessions, [renamed]) == 1
        assert stored_rooms(sessions) == [renamed, INFO]  # INFO left the settings but stays on record
    finally:
        engine.dispose()


def test_the_bot_records_its_configured_rooms_at_start(tmp_path: Path) -> None:
    rooms = [{"platform": "console", "id": "mededelingen-2b", "name": "mededelingen-2b", "kind": "announcement"}]
    core = make_core(tmp_path, rooms=rooms, with_classifier=False)
    assert stored_rooms(core.sessions) == [
        Room(Platform.CONSOLE, RoomId("mededelingen-2b"), "mededelingen-2b", RoomKind.ANNOUNCEMENT)
    ]
