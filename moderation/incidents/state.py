"""Key/value state an adapter keeps across restarts (Matrix's sync token), in the same database."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from moderation.incidents.db import StateRow


class SqlStateStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def get(self, key: str) -> str | None:
        with self._sessions() as session:
            row = session.get(StateRow, key)
            return row.value if row else None

    def set(self, key: str, value: str) -> None:
        with self._sessions.begin() as session:
            row = session.get(StateRow, key)
            now = datetime.now(UTC)
            if row is None:
                session.add(StateRow(key=key, value=value, updated_at=now))
            else:
                row.value = value
                row.updated_at = now
