"""The configured rooms in the incident log, so an incident's room keeps its kind and name on record."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from moderation.model import Platform, Room, RoomId, RoomKind
from moderation.storage.rooms import RoomRow


def sync_rooms(sessions: sessionmaker[Session], rooms: Iterable[Room]) -> int:
    """Insert or update each configured room (keyed by platform and room id); returns how many changed.

    A room no longer in the settings is kept: incidents of the past still name it.
    """
    changed = 0
    with sessions.begin() as session:
        existing = {(r.platform, r.room_id): r for r in session.scalars(select(RoomRow))}
        for room in rooms:
            row = existing.get((room.platform.value, str(room.id)))
            if row is None:
                session.add(
                    RoomRow(platform=room.platform.value, room_id=str(room.id), name=room.name, kind=room.kind.value)
                )
                changed += 1
            elif (row.name, row.kind) != (room.name, room.kind.value):
                row.name, row.kind = room.name, room.kind.value
                changed += 1
    return changed


def stored_rooms(sessions: sessionmaker[Session]) -> list[Room]:
    with sessions() as session:
        rows = session.scalars(select(RoomRow).order_by(RoomRow.platform, RoomRow.room_id))
        return [Room(Platform(r.platform), RoomId(r.room_id), r.name, RoomKind(r.kind)) for r in rows]
