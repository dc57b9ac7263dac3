"""Tests read the incident log directly, as plain values. The product reads it only through the review service,
which checks access and records every read; nothing here is for production."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from moderation.storage.incidents import IncidentRow, ReviewerRow


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    at: datetime
    actor: str
    action: str
    detail: str


@dataclass(frozen=True, slots=True)
class IncidentView:
    id: int
    platform: str
    room_id: str
    room_name: str
    event_id: str
    message_link: str | None
    author_account: str | None
    author_person_id: str | None
    rule_id: str
    category: str
    severity: int
    score: float
    scores: dict[str, float]
    explanation: str
    excerpt: str | None
    criminal: bool
    action_taken: str
    action_status: str
    status: str
    reviewers: tuple[tuple[str, str], ...]  # (person id, reason)
    created_at: datetime
    updated_at: datetime
    history: tuple[HistoryEntry, ...] = ()


def view_of(row: IncidentRow, *, with_history: bool = False) -> IncidentView:
    return IncidentView(
        id=row.id,
        platform=row.platform,
        room_id=row.room_id,
        room_name=row.room_name,
        event_id=row.event_id,
        message_link=row.message_link,
        author_account=row.author_account,
        author_person_id=row.author_person_id,
        rule_id=row.rule_id,
        category=row.category,
        severity=row.severity,
        score=row.score,
        scores=dict(row.scores or {}),
        explanation=row.explanation,
        excerpt=row.excerpt,
        criminal=row.criminal,
        action_taken=row.action_taken,
        action_status=row.action_status,
        status=row.status,
        reviewers=tuple((r.person_id, r.reason) for r in row.reviewers),
        created_at=row.created_at,
        updated_at=row.updated_at,
        history=tuple(HistoryEntry(h.at, h.actor, h.action, h.detail) for h in row.history) if with_history else (),
    )


def list_incidents(
    session: Session,
    *,
    reviewer: str | None = None,
    status: str | None = None,
    room: str | None = None,
    limit: int = 200,
) -> list[IncidentView]:
    """Oldest first, so the longest-waiting incident is read first."""
    query = select(IncidentRow).options(selectinload(IncidentRow.reviewers)).order_by(IncidentRow.id).limit(limit)
    if reviewer is not None:
        query = query.where(IncidentRow.reviewers.any(ReviewerRow.person_id == reviewer))
    if status is not None:
        query = query.where(IncidentRow.status == status)
    if room is not None:
        query = query.where((IncidentRow.room_id == room) | (IncidentRow.room_name == room))
    return [view_of(row) for row in session.scalars(query)]


def get_incident(session: Session, incident_id: int) -> IncidentRow | None:
    return session.get(IncidentRow, incident_id, options=[selectinload(IncidentRow.reviewers)])


def incident_rows(sessions: sessionmaker[Session]) -> list[IncidentRow]:
    """Every incident row with its reviewers, oldest first."""
    with sessions() as session:
        return list(
            session.scalars(select(IncidentRow).options(selectinload(IncidentRow.reviewers)).order_by(IncidentRow.id))
        )
