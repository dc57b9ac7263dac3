"""Read confirmations ("Gelezen ✓"): readers of a staff announcement confirm they read it (a button on Discord,
a ✅ reaction on Matrix), and its sender sees how many did, per room.

Each reader counts once per room. What is kept of a confirmation is a digest of the post and the reader's account
(`reader_digest`), never the account itself: the count needs no names, and the sender is shown none. The digest can
be computed again from an account, so an AVG request still finds and erases a person's confirmations
(`export_reads`, `erase_reads`). A confirmation goes with its post (retention) and is no longer taken once the
announcement is retracted.

A confirmation can be taken back. Given with a reaction (Matrix), the reactions that carry it are kept as digests
too (`reaction_digest`), and when the reader's last one is removed, their confirmation is withdrawn and the count
drops by one. Given with a button (Discord), pressing it again takes it back (`press`). Nothing else is kept of it
than the count: a withdrawn confirmation is deleted as an erased one is, and the log says only that one was
withdrawn from which post.

Confirmations given with a reaction before those reactions were kept (migration 0013) have none on record; the
platform's own list of a post's reactions gives them theirs (`untracked`, `adopt`): a reader whose reaction is still
there gets it on record, one whose reactions are all gone had taken it back and no longer counts.
"""

from __future__ import annotations

import enum
import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import delete, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from moderation.announcements.store import POSTED
from moderation.model import AccountId, Platform
from moderation.ports import Clock, Directory
from moderation.storage.announcements import AnnouncementPostRow, AnnouncementReadReactionRow, AnnouncementReadRow

log = logging.getLogger(__name__)


class ReadOutcome(enum.Enum):
    COUNTED = "counted"
    ALREADY = "already"  # this reader had confirmed it before: counted once
    OWN = "own"  # the sender's own announcement: not counted
    RETRACTED = "retracted"
    NOT_ASKED = "not-asked"  # no post of ours that asks for it
    WITHDRAWN = "withdrawn"  # pressed again: no longer counted


# A second press this soon after the first is the same click arriving twice (a double click), not a change of mind.
DOUBLE_PRESS = timedelta(seconds=2)


@dataclass(frozen=True, slots=True)
class RoomReads:
    platform: Platform
    room_id: str
    read: int


def reader_digest(post_id: int, platform: Platform, account: str) -> str:
    return hashlib.sha256(f"{post_id}\x00{platform.value}\x00{account}".encode()).hexdigest()[:32]


def reaction_digest(platform: Platform, room_id: str, reaction: str) -> str:
    return hashlib.sha256(f"{platform.value}\x00{room_id}\x00{reaction}".encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class UntrackedPost:
    """A post with confirmations whose reactions are not on record."""

    room_id: str
    message_id: str


class ReadConfirmations:
    def __init__(
        self, sessions: sessionmaker[Session], source: str, directory: Callable[[], Directory], clock: Clock
    ) -> None:
        self._sessions = sessions
        self._source = source
        self._directory = directory
        self._clock = clock

    def confirm(
        self, platform: Platform, room_id: str, message_id: str, account: str, reaction: str = ""
    ) -> ReadOutcome:
        """`account` says they read the post that is message `message_id` in the room; `reaction`: the id of the
        reaction they said it with, where removing it takes it back (Matrix)."""
        found = self._find(platform, room_id, message_id, account)
        if isinstance(found, ReadOutcome):
            return found
        post_id, digest, known = found
        carried_by = reaction_digest(platform, room_id, reaction) if reaction else None
        if known is not None:
            if carried_by is not None:  # a second ✅ of theirs (or 👍): the read stays until both are gone
                self._carried(known[0], carried_by)
            return ReadOutcome.ALREADY
        return self._count(post_id, digest, carried_by)

    def press(self, platform: Platform, room_id: str, message_id: str, account: str) -> ReadOutcome:
        """A press on the post's "Gelezen ✓" button: counted, or, when `account` had confirmed it already, taken
        back (a press by mistake is undone by pressing again). The same click arriving twice counts once."""
        found = self._find(platform, room_id, message_id, account)
        if isinstance(found, ReadOutcome):
            return found
        post_id, digest, known = found
        if known is None:
            return self._count(post_id, digest, None)
        read_id, at = known
        if self._clock.now() - _aware(at, self._clock.now()) < DOUBLE_PRESS:
            return ReadOutcome.ALREADY
        with self._sessions.begin() as session:
            gone = session.execute(delete(AnnouncementReadRow).where(AnnouncementReadRow.id == read_id))
        if not getattr(gone, "rowcount", 0):  # another press took it back at the same moment
            return ReadOutcome.WITHDRAWN
        log.info("announcements: a read confirmation of post %s was withdrawn (pressed again)", post_id)
        return ReadOutcome.WITHDRAWN

    def _find(
        self, platform: Platform, room_id: str, message_id: str, account: str
    ) -> tuple[int, str, tuple[int, datetime] | None] | ReadOutcome:
        """The post that asks for a read, the reader's digest and their read (id, when) if they gave one; or why
        there is nothing to count."""
        with self._sessions() as session:
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
            known = session.execute(
                select(AnnouncementReadRow.id, AnnouncementReadRow.at).where(
                    AnnouncementReadRow.post_id == post.id, AnnouncementReadRow.reader == digest
                )
            ).first()
            return post.id, digest, (known[0], known[1]) if known is not None else None

    def _count(self, post_id: int, digest: str, carried_by: str | None) -> ReadOutcome:
        try:
            with self._sessions.begin() as session:
                read = AnnouncementReadRow(post_id=post_id, reader=digest, at=self._clock.now())
                session.add(read)
                if carried_by is not None:
                    session.flush()
                    session.add(AnnouncementReadReactionRow(read_id=read.id, reaction=carried_by))
        except IntegrityError:  # the same reader twice at once (a double click): counted once
            return ReadOutcome.ALREADY
        return ReadOutcome.COUNTED

    def _carried(self, read_id: int, reaction: str) -> None:
        try:
            with self._sessions.begin() as session:
                session.add(AnnouncementReadReactionRow(read_id=read_id, reaction=reaction))
        except IntegrityError:  # the same reaction seen again (a sync batch handled twice)
            pass

    def withdraw(self, platform: Platform, room_id: str, reaction: str) -> bool:
        """The reaction with id `reaction` in the room was removed: if it carried a reader's confirmation and was
        the last of theirs that did, the confirmation is withdrawn (True). Any other removal changes nothing."""
        with self._sessions.begin() as session:
            carrier = session.scalars(
                select(AnnouncementReadReactionRow).where(
                    AnnouncementReadReactionRow.reaction == reaction_digest(platform, room_id, reaction)
                )
            ).first()
            if carrier is None:
                return False
            read_id = carrier.read_id
            session.delete(carrier)
            session.flush()
            left = session.scalar(
                select(func.count(AnnouncementReadReactionRow.id)).where(AnnouncementReadReactionRow.read_id == read_id)
            )
            if left:
                return False
            post_id = session.scalar(select(AnnouncementReadRow.post_id).where(AnnouncementReadRow.id == read_id))
            session.execute(delete(AnnouncementReadRow).where(AnnouncementReadRow.id == read_id))
        log.info("announcements: a read confirmation of post %s was withdrawn (its reaction was removed)", post_id)
        return True

    def untracked(
        self, platform: Platform, room_id: str | None = None, account: str | None = None
    ) -> list[UntrackedPost]:
        """The posts still taking confirmations that hold one without its reactions on record (given before they
        were kept); only in `room_id`, and only where `account` gave such a confirmation, when those are named."""
        untracked = ~exists().where(AnnouncementReadReactionRow.read_id == AnnouncementReadRow.id)
        query = (
            select(AnnouncementPostRow.id, AnnouncementPostRow.room_id, AnnouncementPostRow.message_id)
            .join(AnnouncementReadRow, AnnouncementReadRow.post_id == AnnouncementPostRow.id)
            .where(
                AnnouncementPostRow.source == self._source,
                AnnouncementPostRow.platform == platform.value,
                AnnouncementPostRow.asks_read.is_(True),
                AnnouncementPostRow.wanted == POSTED,
                AnnouncementPostRow.message_id.is_not(None),
                untracked,
            )
            .order_by(AnnouncementPostRow.id)
        )
        if room_id is not None:
            query = query.where(AnnouncementPostRow.room_id == room_id)
        with self._sessions() as session:
            if account is None:
                rows = session.execute(query.distinct()).all()
                return [UntrackedPost(room, message) for _, room, message in rows if message is not None]
            found: dict[int, UntrackedPost] = {}
            for post_id, room, message, reader in session.execute(query.add_columns(AnnouncementReadRow.reader)):
                if message is not None and reader == reader_digest(post_id, platform, account):
                    found[post_id] = UntrackedPost(room, message)
            return list(found.values())

    def adopt(
        self, platform: Platform, room_id: str, message_id: str, reactions: Sequence[tuple[str, str]]
    ) -> tuple[int, int]:
        """`reactions`: every reaction saying "gelezen" on the post now, as (reaction id, sender), as the platform
        lists them. Each confirmation without its reactions on record gets them; one whose reader has none left
        there had been taken back, and is withdrawn. Confirmations with reactions on record are left alone (their
        removals are followed as they come). Returns (given their reactions, withdrawn)."""
        with self._sessions.begin() as session:
            post_id = session.scalar(
                select(AnnouncementPostRow.id).where(
                    AnnouncementPostRow.source == self._source,
                    AnnouncementPostRow.platform == platform.value,
                    AnnouncementPostRow.room_id == room_id,
                    AnnouncementPostRow.message_id == message_id,
                    AnnouncementPostRow.asks_read.is_(True),
                    AnnouncementPostRow.wanted == POSTED,
                )
            )
            if post_id is None:
                return 0, 0
            by_reader: dict[str, list[str]] = {}
            for reaction, sender in reactions:
                by_reader.setdefault(reader_digest(post_id, platform, sender), []).append(reaction)
            untracked = ~exists().where(AnnouncementReadReactionRow.read_id == AnnouncementReadRow.id)
            reads = session.execute(
                select(AnnouncementReadRow.id, AnnouncementReadRow.reader).where(
                    AnnouncementReadRow.post_id == post_id, untracked
                )
            ).all()
            carried = {
                reader: {reaction_digest(platform, room_id, r) for r in by_reader.get(reader, [])}
                for _, reader in reads
            }
            wanted = set().union(*carried.values()) if carried else set()
            known = set(
                session.scalars(
                    select(AnnouncementReadReactionRow.reaction).where(AnnouncementReadReactionRow.reaction.in_(wanted))
                )
            )
            gone = [read_id for read_id, reader in reads if not carried[reader]]
            session.add_all(
                AnnouncementReadReactionRow(read_id=read_id, reaction=r)
                for read_id, reader in reads
                for r in carried[reader] - known
            )
            if gone:
                session.execute(delete(AnnouncementReadRow).where(AnnouncementReadRow.id.in_(gone)))
            adopted, withdrawn = len(reads) - len(gone), len(gone)
        if adopted or withdrawn:
            log.info(
                "announcements: post %s: %d earlier read confirmation(s) now have their reactions on record, "
                "%d withdrawn (their reactions were gone)",
                post_id,
                adopted,
                withdrawn,
            )
        return adopted, withdrawn

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


class ConfirmRead(Protocol):
    """A reader's "Gelezen ✓": (platform, room id, the post's message id, the reader's account[, the reaction])."""

    def __call__(
        self, platform: Platform, room_id: str, message_id: str, account: str, reaction: str = ""
    ) -> ReadOutcome: ...


class PressRead(Protocol):
    """A press on a post's "Gelezen ✓" button: (platform, room id, the post's message id, the presser's account)."""

    def __call__(self, platform: Platform, room_id: str, message_id: str, account: str) -> ReadOutcome: ...


WithdrawRead = Callable[[Platform, str, str], bool]  # (platform, room id, the removed reaction's id)


class UntrackedReads(Protocol):
    """Confirmations whose reactions are not on record, and giving them theirs (`ReadConfirmations`)."""

    def untracked(
        self, platform: Platform, room_id: str | None = None, account: str | None = None
    ) -> list[UntrackedPost]: ...

    def adopt(
        self, platform: Platform, room_id: str, message_id: str, reactions: Sequence[tuple[str, str]]
    ) -> tuple[int, int]: ...


def _aware(moment: datetime, like: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=like.tzinfo)
