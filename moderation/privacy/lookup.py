"""Finding whom a privacy request is about, by name or id, among the people on the roster and those who left it;
and what an erasure would cut short. Every search is recorded in the privacy log (in numbers, never the query)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from moderation.model import OPEN_STATUSES
from moderation.privacy.log import record
from moderation.storage.incidents import IncidentRow
from moderation.storage.people import PersonRow

FOUND_MAX = 50  # people listed for one search; a longer list asks for a more precise one


def find_people(
    sessions: sessionmaker[Session], text: str, now: datetime, *, actor: str
) -> list[tuple[str, str, str, str | None, bool]]:
    """(id, name, role, class, on the roster now) of the people whose id or name contains `text` (any case),
    people still on the roster first. Recorded as a search by `actor`."""
    needle = text.strip().casefold()
    with sessions.begin() as session:
        found: list[tuple[str, str, str, str | None, bool]] = []
        if needle:
            pattern = f"%{_like(needle)}%"
            rows = session.execute(
                select(PersonRow.id, PersonRow.name, PersonRow.role, PersonRow.class_name, PersonRow.active)
                .where(or_(PersonRow.id.ilike(pattern, escape="\\"), PersonRow.name.ilike(pattern, escape="\\")))
                .order_by(PersonRow.active.desc(), PersonRow.name, PersonRow.id)
                .limit(FOUND_MAX)
            )
            found = [(r.id, r.name, r.role, r.class_name, bool(r.active)) for r in rows]
        record(session, now, actor, "search", None, {"found": len(found)})
    return found


def record_refusal(sessions: sessionmaker[Session], now: datetime, actor: str) -> None:
    """Someone who is not the privacy officer tried a privacy request: on record as well."""
    with sessions.begin() as session:
        record(session, now, actor, "refused", None, {})


def unfinished(sessions: sessionmaker[Session], incident_ids: list[int]) -> list[tuple[int, str]]:
    """The incidents an erasure would delete while they still need someone: (id, "police") for one escalated as a
    possible criminal offence, (id, status) for one still open."""
    if not incident_ids:
        return []
    with sessions() as session:
        rows = session.scalars(select(IncidentRow).where(IncidentRow.id.in_(incident_ids)).order_by(IncidentRow.id))
        found = []
        for row in rows:
            if row.escalation == "police":
                found.append((row.id, "police"))
            elif row.status in OPEN_STATUSES:
                found.append((row.id, row.status))
        return found


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
