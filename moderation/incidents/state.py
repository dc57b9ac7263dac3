"""Key/value state an adapter keeps across restarts (Matrix's sync token), in the same database.

A database that cannot be reached raises StoreUnavailable, like the incident log: the adapter waits and tries again
instead of moving on past an event it could not finish.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from moderation.incidents.db import StateRow
from moderation.incidents.store import storage_reason
from moderation.ports import StoreUnavailable


class SqlStateStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def get(self, key: str) -> str | None:
        try:
            with self._sessions() as session:
                row = session.get(StateRow, key)
                return row.value if row else None
        except (OperationalError, InterfaceError) as exc:
            raise StoreUnavailable(storage_reason(exc)) from exc

    def set(self, key: str, value: str) -> None:
        try:
            with self._sessions.begin() as session:
                row = session.get(StateRow, key)
                now = datetime.now(UTC)
                if row is None:
                    session.add(StateRow(key=key, value=value, updated_at=now))
                else:
                    row.value = value
                    row.updated_at = now
        except (OperationalError, InterfaceError) as exc:
            raise StoreUnavailable(storage_reason(exc)) from exc
