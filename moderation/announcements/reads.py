"""Read confirmations ("Gelezen ✓"): readers of a staff announcement confirm they read it (a button on Discord,
a ✅ reaction on Matrix), and its sender sees how many did, per room.

Each reader counts once per room. What is kept of a confirmation is a digest of the post and the reader's account
(`reader_digest`), never the account itself: the count needs no names, and the sender is shown none. The digest can
be computed again from an account, so an AVG request still finds and erases a person's confirmations
(`export_reads`, `erase_reads`). A confirmation goes with its post (retention) and is no longer taken once the
announcement is retracted.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from moderation.announcements.store import POSTED
from moderation.model import AccountId, Platform
from moderation.ports import Clock, Directory
from moderation.storage.announcements import AnnouncementPostRow, AnnouncementReadRow


class ReadOutcome(enum.Enum):
    COUNTED = "counted"
    ALREADY = "already"  # this reader had confirmed it before: counted once
    OWN = "own"  # the sender's own announcement: not counted
    RETRACTED = "retracted"
    NOT_ASKED = "not-asked"  # no post of ours that asks for it


@dataclass(frozen=True, slots=True)
class RoomReads:
    platform: Platform
    room_id: str
    read: int


def reader_digest(post_id: int, platform: Platform, account: str) -> str:
    return hashlib.sha256(f"{post_id}\x00{platform.value}\x00{account}".encode()).hexdigest()[:32]


class ReadConfirmations:
    def __init__(
        self, sessions: sessionmaker[Session], source: str, directory: Callable[[], Directory], clock: Clock
    ) -> None:
        self._sessions = sessions
        self._source = source
        self._directory = directory
        self._clock = clock

    def confirm(self, platform: Platform, room_id: str, message_id: str, account: str) -> ReadOutcome:
        """`account` says they read the post that is message `message_id` in the room."""
        with self._sessions.begin() as session:
            post = session.scalars(
                select(AnnouncementPostRow).where(
                    AnnouncementPostRow.source == self._source,
                    AnnouncementPostRow.platform == platform.value,
                    AnnouncementPostRow.room_id == room_id,
                    AnnouncementPostRow.message_id == message_id,
                    AnnouncementPostRow.asks_read.is_(True),
                )
            ).first()
            if post is None:
                return ReadOutcome.NOT_ASKED
            if post.wanted != POSTED:
                return ReadOutcome.RETRACTED
            person = self._directory().person_for(platform, AccountId(account))
            if person is not None and person.id == post.author:
                return ReadOutcome.OWN
            digest = reader_digest(post.id, platform, account)
            known = session.scalars(
                select(AnnouncementReadRow.id).where(
                    AnnouncementReadRow.post_id == post.id, AnnouncementReadRow.reader == digest
                )
            ).first()
            if known is not None:
                return ReadOutcome.ALREADY
            post_id = post.id
        try:
            with self._sessions.begin() as session:
                session.add(AnnouncementReadRow(post_id=post_id, reader=digest, at=self._clock.now()))
        except IntegrityError:  # the same reader twice at once (a double click): counted once
            return ReadOutcome.ALREADY
        return ReadOutcome.COUNTED

    def counts(self, key: str) -> list[RoomReads]:
        """Per room of one announcement that asked for it: how many confirmed."""
        with self._sessions() as session:
            rows = session.execute(
                select(AnnouncementPostRow.platform, AnnouncementPostRow.room_id, func.count(AnnouncementReadRow.id))
                .outerjoin(AnnouncementReadRow, AnnouncementReadRow.post_id == AnnouncementPostRow.id)
                .where(
                    AnnouncementPostRow.source == self._source,
                    AnnouncementPostRow.key == key,
                    AnnouncementPostRow.asks_read.is_(True),
                )
                .group_by(AnnouncementPostRow.id, AnnouncementPostRow.platform, AnnouncementPostRow.room_id)
                .order_by(AnnouncementPostRow.id)
            ).all()
            return [RoomReads(Platform(platform), room_id, int(read)) for platform, room_id, read in rows]


def _theirs(session: Session, accounts: Sequence[tuple[str, str]]) -> list[int]:
    """The ids of the confirmations made from these (platform, account) pairs: each digest computed again per post
    (plain columns, not rows: a school year holds tens of thousands)."""
    wanted = [(Platform(p), a) for p, a in accounts if p in {x.value for x in Platform}]
    if not wanted:
        return []
    rows = session.execute(select(AnnouncementReadRow.id, AnnouncementReadRow.post_id, AnnouncementReadRow.reader))
    return [n for n, post_id, reader in rows if any(reader == reader_digest(post_id, p, a) for p, a in wanted)]


def export_reads(session: Session, accounts: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    """For the AVG export: which announcement posts the person confirmed, and when."""
    ids = _theirs(session, accounts)
    rows = session.scalars(
        select(AnnouncementReadRow).where(AnnouncementReadRow.id.in_(ids)).order_by(AnnouncementReadRow.id)
    )
    return [{"announcement_post": r.post_id, "at": r.at.isoformat()} for r in rows]


def erase_reads(session: Session, accounts: Sequence[tuple[str, str]]) -> int:
    """For the AVG erasure: the person's confirmations are deleted (the counts drop by them)."""
    ids = _theirs(session, accounts)
    if ids:
        session.execute(delete(AnnouncementReadRow).where(AnnouncementReadRow.id.in_(ids)))
    return len(ids)


ConfirmRead = Callable[[Platform, str, str, str], ReadOutcome]  # (platform, room id, message id, account)
