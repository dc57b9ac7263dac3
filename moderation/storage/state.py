"""The one state store (`moderation.ports.StateStore`): small key/value state an adapter keeps across restarts
(Matrix's sync token, where each copy of a card is), in the same database.

A database that cannot be reached raises StoreUnavailable, like the incident log: the adapter waits and tries again
instead of moving on past an event it could not finish.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, String, Text
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from moderation.ports import StoreUnavailable
from moderation.storage.base import Base
from moderation.storage.engine import storage_reason


class StateRow(Base):
    """Small key/value state an adapter must keep across restarts (e.g. Matrix's sync token)."""

    __tablename__ = "bot_state"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


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
