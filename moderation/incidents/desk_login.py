"""Sign-in to the review desk without passwords: a one-time link sent in chat, then a server-side session.

Tokens are random (32 bytes) and only their SHA-256 is stored, so a copy of the database signs nobody in. A link
is used up by one compare-and-set (`UPDATE … WHERE used_at IS NULL AND expires_at > now`): of two browsers opening
it at once, exactly one gets a session. A session ends after `idle` without use, or everywhere at once on sign-out.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from moderation.model import Person, Role
from moderation.ports import Clock, Directory
from moderation.storage.desk import DeskLinkRow, DeskSessionRow

TOKEN_BYTES = 32
TOKEN_MAX = 100  # longer input is no token of ours: refused before hashing
_TOUCH_EVERY = timedelta(seconds=30)  # last_seen is written at most this often per session


@dataclass(frozen=True, slots=True)
class DeskSession:
    person_id: str
    csrf: str


def is_reviewer(person: Person, directory: Directory) -> bool:
    """Staff with a reviewing role: leadership, the coordinator, or someone's mentor or manager."""
    if person.role is not Role.STAFF:
        return False
    if person.is_leadership or person.is_coordinator:
        return True
    people = getattr(directory, "people", None)
    everyone = list(people()) if callable(people) else []
    return any(person.id in p.mentors or p.manager == person.id for p in everyone)


def may_use_desk(person: Person, directory: Directory) -> bool:
    """Who gets a sign-in link: reviewers, and the privacy officer (staff) for the Privacy page."""
    return (person.role is Role.STAFF and person.is_privacy_officer) or is_reviewer(person, directory)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)  # SQLite gives naive UTC back


class DeskLogins:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock, *, link_ttl: timedelta, idle: timedelta) -> None:
        self._sessions = sessions
        self._clock = clock
        self._link_ttl = link_ttl
        self._idle = idle

    def issue_link(self, person_id: str) -> str:
        """A new one-time token for `person_id` (the caller checked that they are a reviewer)."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        now = self._clock.now()
        with self._sessions.begin() as session:
            session.execute(delete(DeskLinkRow).where(DeskLinkRow.expires_at < now))  # keep the table small
            session.add(
                DeskLinkRow(
                    token_hash=_hash(token), person_id=person_id, created_at=now, expires_at=now + self._link_ttl
                )
            )
        return token

    def redeem(self, token: str) -> tuple[str, DeskSession] | None:
        """Use a link: a new session (its cookie token and its data), or None when the link is unknown, used or
        expired."""
        if not token or len(token) > TOKEN_MAX:
            return None
        now = self._clock.now()
        with self._sessions.begin() as session:
            claimed = cast(
                CursorResult[Any],
                session.execute(
                    update(DeskLinkRow)
                    .where(
                        DeskLinkRow.token_hash == _hash(token),
                        DeskLinkRow.used_at.is_(None),
                        DeskLinkRow.expires_at > now,
                    )
                    .values(used_at=now)
                ),
            ).rowcount
            if claimed != 1:
                return None
            person_id = session.scalars(
                select(DeskLinkRow.person_id).where(DeskLinkRow.token_hash == _hash(token))
            ).one()
            cookie = secrets.token_urlsafe(TOKEN_BYTES)
            csrf = secrets.token_urlsafe(24)
            session.add(
                DeskSessionRow(token_hash=_hash(cookie), person_id=person_id, csrf=csrf, created_at=now, last_seen=now)
            )
        return cookie, DeskSession(person_id, csrf)

    def session(self, cookie: str) -> DeskSession | None:
        """The session of a cookie token, unless it ended or was idle too long (then it is removed)."""
        if not cookie or len(cookie) > TOKEN_MAX:
            return None
        now = self._clock.now()
        with self._sessions.begin() as session:
            row = session.get(DeskSessionRow, _hash(cookie))
            if row is None:
                return None
            last_seen = _aware(row.last_seen)
            if now - last_seen > self._idle:
                session.delete(row)
                return None
            if now - last_seen > _TOUCH_EVERY:
                row.last_seen = now
            return DeskSession(row.person_id, row.csrf)

    def end_everywhere(self, person_id: str) -> int:
        """Sign `person_id` out of every browser; how many sessions ended."""
        with self._sessions.begin() as session:
            result = cast(
                CursorResult[Any], session.execute(delete(DeskSessionRow).where(DeskSessionRow.person_id == person_id))
            )
            return result.rowcount
