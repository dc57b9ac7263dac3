"""The record of staff announcements: who announced what, for when, where they asked; edits and retractions. The
rooms' own posts and their log are in the posts queue (`announcement_posts`, `announcement_log`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from moderation.model import Platform
from moderation.storage.staff_announcements import StaffAnnouncementRow


@dataclass(frozen=True, slots=True)
class RoomHeader:
    platform: Platform
    room_id: str
    classes: str
    header: str  # "Mededeling van Meneer Jansen (2B)"


@dataclass(frozen=True, slots=True)
class StaffAnnouncement:
    key: str
    author: str
    platform: Platform
    account: str
    text: str
    rooms: tuple[RoomHeader, ...]
    due_at: datetime | None
    retracted: bool
    created_at: datetime | None = None


class StaffRecords:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def add_in(
        self,
        session: Session,
        key: str,
        *,
        author: str,
        platform: Platform,
        account: str,
        classes: str,
        text: str,
        rooms: list[RoomHeader],
        due_at: datetime | None,
        now: datetime,
    ) -> None:
        """Recorded once, in the caller's transaction (beside the announcement's posts): a replayed command (same
        key) changes nothing."""
        if session.get(StaffAnnouncementRow, key) is not None:
            return
        session.add(
            StaffAnnouncementRow(
                key=key,
                author=author,
                platform=platform.value,
                account=account,
                classes=classes[:255],
                text=text,
                rooms=[[r.platform.value, r.room_id, r.classes, r.header] for r in rooms],
                due_at=due_at,
                created_at=now,
            )
        )

    def get(self, key: str) -> StaffAnnouncement | None:
        with self._sessions() as session:
            row = session.get(StaffAnnouncementRow, key)
            return _read(row) if row is not None else None

    def edited_in(self, session: Session, key: str, text: str, by: str, now: datetime) -> None:
        """In the caller's transaction, beside the posts' change."""
        row = session.get(StaffAnnouncementRow, key)
        if row is not None:
            row.text, row.edited_at, row.edited_by = text, now, by

    def retracted_in(self, session: Session, key: str, by: str, now: datetime) -> None:
        """In the caller's transaction, beside the posts' change."""
        row = session.get(StaffAnnouncementRow, key)
        if row is not None and row.retracted_at is None:
            row.retracted_at, row.retracted_by = now, by

    def by_author(self, author: str, limit: int) -> list[StaffAnnouncement]:
        """One sender's announcements, newest first."""
        with self._sessions() as session:
            rows = session.scalars(
                select(StaffAnnouncementRow)
                .where(StaffAnnouncementRow.author == author)
                .order_by(StaffAnnouncementRow.created_at.desc(), StaffAnnouncementRow.key)
                .limit(limit)
            ).all()
            return [_read(r) for r in rows]

    def unreported(self, now: datetime) -> list[StaffAnnouncement]:
        """Scheduled announcements whose moment has come and whose sender has not yet heard how it went."""
        with self._sessions() as session:
            rows = session.scalars(
                select(StaffAnnouncementRow)
                .where(
                    StaffAnnouncementRow.due_at.is_not(None),
                    StaffAnnouncementRow.due_at <= now,
                    StaffAnnouncementRow.reported_at.is_(None),
                    StaffAnnouncementRow.retracted_at.is_(None),
                )
                .order_by(StaffAnnouncementRow.due_at)
            ).all()
            return [_read(r) for r in rows]

    def reported(self, key: str, now: datetime) -> None:
        with self._sessions.begin() as session:
            row = session.get(StaffAnnouncementRow, key)
            if row is not None:
                row.reported_at = now

    def purge(self, before: datetime) -> int:
        """Retention: announcements made before `before` are deleted (their posts by the posts queue's purge)."""
        with self._sessions.begin() as session:
            result = session.execute(delete(StaffAnnouncementRow).where(StaffAnnouncementRow.created_at < before))
            return int(getattr(result, "rowcount", 0) or 0)


def _read(row: StaffAnnouncementRow) -> StaffAnnouncement:
    rooms = tuple(RoomHeader(Platform(p), room_id, classes, header) for p, room_id, classes, header in row.rooms)
    due = row.due_at
    if due is not None and due.tzinfo is None:  # SQLite gives the stored UTC moment back without its zone
        due = due.replace(tzinfo=UTC)
    created = row.created_at if row.created_at.tzinfo is not None else row.created_at.replace(tzinfo=UTC)
    return StaffAnnouncement(
        row.key,
        row.author,
        Platform(row.platform),
        row.account,
        row.text,
        rooms,
        due,
        row.retracted_at is not None,
        created,
    )
