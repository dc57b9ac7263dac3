"""The adapters' own person-keyed data: every adapter's hook, run on the state table inside the request's
transaction (so that a dry run changes nothing, and an erasure is one change)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from moderation.ports import DataSubject, PersonalDataHook
from moderation.privacy.subject import literal
from moderation.storage.state import StateRow


class SessionStateTable:
    """`StateTable` over one session: reads and deletes happen in the privacy request's own transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, key: str) -> str | None:
        row = self._session.get(StateRow, key)
        return row.value if row is not None else None

    def set(self, key: str, value: str) -> None:
        raise PermissionError("a privacy request only reads and erases platform state")

    def delete(self, key: str) -> None:
        row = self._session.get(StateRow, key)
        if row is not None:
            self._session.delete(row)

    def keys(self, prefix: str) -> Sequence[str]:
        query = select(StateRow.key).where(StateRow.key.like(f"{literal(prefix)}%", escape="\\"))
        return list(self._session.scalars(query.order_by(StateRow.key)))


def export_platform_state(
    session: Session, subject: DataSubject, hooks: Sequence[PersonalDataHook]
) -> list[dict[str, str]]:
    table = SessionStateTable(session)
    found = [pair for hook in hooks for pair in hook.export_person(subject, table)]
    return [{"key": key, "value": value} for key, value in sorted(found)]


def erase_platform_state(session: Session, subject: DataSubject, hooks: Sequence[PersonalDataHook]) -> int:
    table = SessionStateTable(session)
    removed = sum(hook.erase_person(subject, table) for hook in hooks)
    session.flush()
    return removed
