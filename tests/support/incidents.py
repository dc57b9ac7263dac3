"""Tests read the incident log directly, as plain values. The product reads it only through the review service,
which checks access and records every read; nothing here is for production."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from moderation.incidents.model import Incident, incident_of
from moderation.model import IncidentStatus
from moderation.storage.incidents import IncidentRow, ReviewerRow


def list_incidents(
    session: Session,
    *,
    reviewer: str | None = None,
    status: IncidentStatus | None = None,
    room: str | None = None,
    limit: int = 200,
) -> list[Incident]:
    """Oldest first, so the longest-waiting incident is read first."""
    query = select(IncidentRow).options(selectinload(IncidentRow.reviewers)).order_by(IncidentRow.id).limit(limit)
    if reviewer is not None:
        query = query.where(IncidentRow.reviewers.any(ReviewerRow.person_id == reviewer))
    if status is not None:
        query = query.where(IncidentRow.status == status)
    if room is not None:
        query = query.where((IncidentRow.room_id == room) | (IncidentRow.room_name == room))
    return [incident_of(row) for row in session.scalars(query)]


def get_incident(session: Session, incident_id: int) -> IncidentRow | None:
    return session.get(IncidentRow, incident_id, options=[selectinload(IncidentRow.reviewers)])


def incident_rows(sessions: sessionmaker[Session]) -> list[IncidentRow]:
    """Every incident row with its reviewers, oldest first."""
    with sessions() as session:
        return list(
            session.scalars(select(IncidentRow).options(selectinload(IncidentRow.reviewers)).order_by(IncidentRow.id))
        )
