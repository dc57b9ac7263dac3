"""What was posted where, for which version, and what is still owed: the `announcement_posts` table is both the
record and the durable queue. Every change to a post is logged in `announcement_log`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session, sessionmaker

from moderation.announcements.plan import Plan
from moderation.model import Platform
from moderation.storage.announcements import AnnouncementLogRow, AnnouncementPostRow

POSTED = "posted"
RETRACTED = "retracted"
PENDING = "pending"
DONE = "done"
FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Owed:
    """One post's owed step: post (no message yet), edit (another text shows) or retract."""

    id: int
    platform: Platform
    room_id: str
    text: str
    wanted: str
    message_id: str | None
    posted_text: str | None
    generation: int
    attempts: int
    maybe_sent: bool = False  # an earlier try may have posted it without it being recorded
    asks_read: bool = False  # the post carries "Gelezen ✓"

    @property
    def step(self) -> str:
        if self.wanted == RETRACTED:
            return "retract" if self.message_id and self.posted_text is not None else "none"
        if not self.message_id or self.posted_text is None:
            return "post"
        return "edit" if self.posted_text != self.text else "none"


@dataclass(frozen=True, slots=True)
class Changes:
    queued: int = 0
    edited: int = 0
    retracted: int = 0


class AnnouncementPosts:
    def __init__(self, sessions: sessionmaker[Session], source: str) -> None:
        self._sessions = sessions
        self._source = source

    def apply(
        self,
        plan: Plan,
        now: datetime,
        *,
        author: str | None = None,
        actor: str | None = None,
        also: Callable[[Session], None] | None = None,
    ) -> Changes:
        """Bring the table in line with the plan: new posts queued, changed ones marked for an edit, withdrawn ones
        for a retraction. Nothing is queued twice: a post already standing with the same text is left alone.
        `actor` is who made this change, when not the post's author (the log names them). `also`: more writes in
        the same transaction (the announcement's own record), so that a process ending halfway leaves both or
        neither."""
        queued = edited = retracted = 0
        wanted = {(w.key, w.platform.value, w.room_id): w for w in plan.wanted}
        keys = {w.key for w in plan.wanted} | set(plan.seen) or {""}
        with self._sessions.begin() as session:
            rows = session.scalars(
                select(AnnouncementPostRow).where(
                    AnnouncementPostRow.source == self._source,
                    or_(AnnouncementPostRow.key.in_(keys), AnnouncementPostRow.starts_at >= plan.window_start),
                )
            ).all()
            existing = {(r.key, r.platform, r.room_id): r for r in rows}
            for place, post in wanted.items():
                row = existing.get(place)
                if row is None:
                    row = AnnouncementPostRow(
                        source=self._source,
                        author=author,
                        key=post.key,
                        platform=post.platform.value,
                        room_id=post.room_id,
                        version=post.version,
                        text=post.text,
                        wanted=POSTED,
                        generation=0,
                        status=PENDING,
                        attempts=0,
                        next_try_at=_due(post.not_before, now),
                        detail="",
                        starts_at=post.starts_at,
                        asks_read=post.asks_read,
                        created_at=now,
                        updated_at=now,
                    )
                    session.add(row)
                    session.flush()
                    asks = "; asks for Gelezen ✓" if post.asks_read else ""
                    _log(session, row, now, "queued", f"version {post.version}{asks}", actor)
                    queued += 1
                    continue
                if row.wanted == RETRACTED:
                    row.wanted, row.text, row.version, row.starts_at = POSTED, post.text, post.version, post.starts_at
                    if row.posted_text is None:  # the old message is gone: this is a new one
                        row.message_id, row.generation, row.sending_since = None, row.generation + 1, None
                    _requeue(row, now, post.not_before)
                    _log(session, row, now, "queued", f"again, version {post.version}", actor)
                    queued += 1
                elif row.text != post.text or row.version != post.version:
                    changed_text = row.text != post.text
                    row.text, row.version, row.starts_at = post.text, post.version, post.starts_at
                    if changed_text:
                        _requeue(row, now, post.not_before if row.message_id is None else None)
                        _log(session, row, now, "changed", f"version {post.version}", actor)
                        edited += 1
                    else:
                        row.updated_at = now
            for place, row in existing.items():
                if place in wanted or row.wanted == RETRACTED or not row.key.startswith(plan.prefix):
                    continue
                in_window = plan.window_start <= _aware(row.starts_at, now) < plan.window_end
                if row.key in plan.seen or in_window:
                    row.wanted = RETRACTED
                    _requeue(row, now)
                    _log(session, row, now, "withdrawn", "the change is no longer in the timetable", actor)
                    retracted += 1
            if also is not None:
                also(session)
        return Changes(queued, edited, retracted)

    def owed(self, platforms: Sequence[Platform], now: datetime, limit: int = 500) -> list[Owed]:
        with self._sessions() as session:
            rows = session.scalars(
                select(AnnouncementPostRow)
                .where(  # every source's: the table is one queue
                    AnnouncementPostRow.status == PENDING,
                    AnnouncementPostRow.platform.in_([p.value for p in platforms]),
                    AnnouncementPostRow.next_try_at <= now,
                )
                .order_by(AnnouncementPostRow.starts_at, AnnouncementPostRow.id)
                .limit(limit)
            ).all()
            return [
                Owed(
                    r.id,
                    Platform(r.platform),
                    r.room_id,
                    r.text,
                    r.wanted,
                    r.message_id,
                    r.posted_text,
                    r.generation,
                    r.attempts,
                    r.sending_since is not None,
                    r.asks_read,
                )
                for r in rows
            ]

    def sending(self, owed: Owed, now: datetime) -> None:
        """Marked before the post is sent (committed), so that a crash during it is noticed at the next try."""
        with self._sessions.begin() as session:
            row = session.get(AnnouncementPostRow, owed.id)
            if row is not None:
                row.sending_since = now

    def done(self, owed: Owed, now: datetime, *, message_id: str | None, shows: str | None, action: str) -> None:
        """The step was done: the room now shows `shows` (None: nothing) in message `message_id`. If the post was
        changed again meanwhile, it stays queued for the newer text."""
        with self._sessions.begin() as session:
            row = session.get(AnnouncementPostRow, owed.id)
            if row is None:
                return
            row.message_id, row.posted_text, row.sending_since = message_id, shows, None
            row.attempts, row.detail, row.updated_at = 0, "", now
            row.status = PENDING if _still_owed(row) else DONE
            _log(session, row, now, action, f"message {message_id}" if message_id else "")

    def failed(self, owed: Owed, now: datetime, detail: str, *, retry_in: timedelta | None) -> None:
        """The step failed; tried again after `retry_in`, or given up (status failed) when that is None."""
        with self._sessions.begin() as session:
            row = session.get(AnnouncementPostRow, owed.id)
            if row is None:
                return
            row.attempts += 1
            row.detail, row.updated_at = detail[:2000], now
            if retry_in is None:
                row.status = FAILED
            else:
                row.next_try_at = now + retry_in
            _log(session, row, now, "failed" if retry_in is None else "retry", detail[:500])

    def places(self, key: str) -> list[tuple[str, str, str | None, str]]:
        """Each room of one announcement: (platform, room id, author, status), for progress and for retraction."""
        with self._sessions() as session:
            rows = session.scalars(
                select(AnnouncementPostRow)
                .where(AnnouncementPostRow.source == self._source, AnnouncementPostRow.key == key)
                .order_by(AnnouncementPostRow.id)
            ).all()
            return [(r.platform, r.room_id, r.author, r.status) for r in rows]

    def asking_read(self, key: str) -> set[tuple[Platform, str]]:
        """The rooms of one announcement whose post asks for "Gelezen ✓"."""
        with self._sessions() as session:
            rows = session.execute(
                select(AnnouncementPostRow.platform, AnnouncementPostRow.room_id).where(
                    AnnouncementPostRow.source == self._source,
                    AnnouncementPostRow.key == key,
                    AnnouncementPostRow.asks_read.is_(True),
                )
            ).all()
            return {(Platform(platform), room_id) for platform, room_id in rows}

    def log_view(self, key: str, who: str, now: datetime, what: str) -> None:
        """Record that `who` looked at something about one announcement (the read counts)."""
        with self._sessions.begin() as session:
            for row in session.scalars(
                select(AnnouncementPostRow).where(
                    AnnouncementPostRow.source == self._source, AnnouncementPostRow.key == key
                )
            ):
                _log(session, row, now, "viewed", what, who)

    def sent_at(self, key: str) -> dict[tuple[Platform, str], datetime]:
        """When each room of one announcement first showed it (its post went out, or was found there)."""
        with self._sessions() as session:
            rows = session.execute(
                select(AnnouncementPostRow.platform, AnnouncementPostRow.room_id, AnnouncementLogRow.at)
                .join(AnnouncementLogRow, AnnouncementLogRow.post_id == AnnouncementPostRow.id)
                .where(
                    AnnouncementPostRow.source == self._source,
                    AnnouncementPostRow.key == key,
                    AnnouncementLogRow.action.in_(("posted", "found")),
                )
                .order_by(AnnouncementLogRow.id.desc())
            ).all()
            return {(Platform(p), room_id): at if at.tzinfo else at.replace(tzinfo=UTC) for p, room_id, at in rows}

    def untried(self, key: str) -> int:
        """How many of one announcement's rooms have not been tried yet."""
        with self._sessions() as session:
            rows = session.scalars(
                select(AnnouncementPostRow.id).where(
                    AnnouncementPostRow.source == self._source,
                    AnnouncementPostRow.key == key,
                    AnnouncementPostRow.status == PENDING,
                    AnnouncementPostRow.attempts == 0,
                )
            ).all()
            return len(rows)

    def key_of(self, post_id: int) -> str | None:
        with self._sessions() as session:
            row = session.get(AnnouncementPostRow, post_id)
            return row.key if row is not None and row.source == self._source else None

    def first_id(self, key: str) -> int | None:
        with self._sessions() as session:
            return session.scalars(
                select(AnnouncementPostRow.id)
                .where(AnnouncementPostRow.source == self._source, AnnouncementPostRow.key == key)
                .order_by(AnnouncementPostRow.id)
            ).first()

    def purge(self, before: datetime) -> int:
        """Retention: posts (and their log) about lessons that started before `before` are deleted."""
        with self._sessions.begin() as session:
            result = session.execute(
                delete(AnnouncementPostRow).where(
                    AnnouncementPostRow.source == self._source,
                    AnnouncementPostRow.starts_at < before,
                    AnnouncementPostRow.status != PENDING,
                )
            )
            return int(getattr(result, "rowcount", 0) or 0)


def _still_owed(row: AnnouncementPostRow) -> bool:
    if row.wanted == RETRACTED:
        return row.posted_text is not None and row.message_id is not None
    return row.posted_text != row.text or row.message_id is None


def _requeue(row: AnnouncementPostRow, now: datetime, not_before: datetime | None = None) -> None:
    row.status, row.attempts, row.next_try_at, row.updated_at = PENDING, 0, _due(not_before, now), now


def _due(not_before: datetime | None, now: datetime) -> datetime:
    return now if not_before is None or not_before <= now else not_before


def _aware(moment: datetime, like: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=like.tzinfo)


def _log(
    session: Session, row: AnnouncementPostRow, now: datetime, action: str, detail: str, actor: str | None = None
) -> None:
    who = actor or row.author or row.source
    session.add(AnnouncementLogRow(post_id=row.id, at=now, actor=who, action=action, detail=detail))
