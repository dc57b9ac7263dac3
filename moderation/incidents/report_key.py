"""The key a report is stored under: a keyed hash (HMAC-SHA256) of reporter and message, never the reporter.

One incident per reporter and message needs a key that repeats for the same pair; an unkeyed hash of the pair
would let anyone with the database try each roster account until the key matches. The key therefore uses a
secret of this installation, made once (32 random bytes) and kept in the database's `bot_state` table, so every
process of the installation (bot, command line, desk) finds the same one. When a reporter is erased, their
reports are re-keyed with random keys (privacy.py): after that not even the secret links a report to them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from moderation.model import AccountId, EventId
from moderation.storage.state import StateRow

SECRET_KEY = "privacy.installation_secret"
PREFIX = "report:"


def installation_secret(sessions: sessionmaker[Session]) -> bytes:
    """This installation's secret, made on first use; two processes starting at once agree on one."""
    with sessions() as session:
        row = session.get(StateRow, SECRET_KEY)
        if row is not None:
            return bytes.fromhex(row.value)
    try:
        with sessions.begin() as session:
            session.add(StateRow(key=SECRET_KEY, value=secrets.token_hex(32), updated_at=datetime.now(UTC)))
    except IntegrityError:
        pass  # another process made it first: use theirs
    with sessions() as session:
        row = session.get(StateRow, SECRET_KEY)
        assert row is not None
        return bytes.fromhex(row.value)


def report_key(secret: bytes, reporter: AccountId, event_id: EventId) -> EventId:
    digest = hmac.new(secret, f"{reporter}\n{event_id}".encode(), hashlib.sha256).hexdigest()
    return EventId(PREFIX + digest[:32])


def unlinked_key() -> EventId:
    """A report key that belongs to nobody (for the reports of an erased reporter)."""
    return EventId(PREFIX + "erased-" + secrets.token_hex(16))
