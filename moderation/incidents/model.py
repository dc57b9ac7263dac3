"""A stored incident as a plain value: what access rules, cards, lists and digests read, never the ORM row.

`incident_of(row)` is the one conversion from the database's row; the field names are the row's, so code written
against the row reads the value unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from moderation.model import Category, IncidentStatus, PersonId, Platform, Severity
from moderation.ports import ReviewerAssignment
from moderation.storage.incidents import IncidentRow


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    at: datetime
    actor: str  # a person id, "system", or "cli:<os user>"
    action: str  # a HistoryAction value (kept as stored, so an old line still reads)
    detail: str


@dataclass(frozen=True, slots=True)
class Incident:
    id: int
    platform: Platform
    room_id: str
    room_name: str
    event_id: str
    message_id: str
    message_link: str | None
    author_account: str | None
    author_person_id: str | None
    rule_id: str
    rule_name: str
    category: Category
    severity: Severity
    score: float
    scores: dict[str, float]
    explanation: str
    excerpt: str | None  # None once erased by retention
    criminal: bool
    action_taken: str
    action_status: str
    status: IncidentStatus
    reported_by: str | None  # leadership only
    created_at: datetime
    updated_at: datetime
    target_person_id: str | None
    target_account: str | None
    case_id: int | None
    escalation: str | None
    resolution_note: str | None
    measure: str | None
    parents_informed: bool | None
    closed_at: datetime | None
    erased_at: datetime | None
    reviewers: tuple[ReviewerAssignment, ...]
    history: tuple[HistoryEntry, ...] = ()  # only when asked for

    @property
    def closed(self) -> bool:
        return self.status.closed


def incident_of(row: IncidentRow, *, with_history: bool = False) -> Incident:
    return Incident(
        id=row.id,
        platform=Platform(row.platform),
        room_id=row.room_id,
        room_name=row.room_name,
        event_id=row.event_id,
        message_id=row.message_id,
        message_link=row.message_link,
        author_account=row.author_account,
        author_person_id=row.author_person_id,
        rule_id=row.rule_id,
        rule_name=row.rule_name,
        category=Category(row.category),
        severity=Severity(row.severity),
        score=row.score,
        scores=dict(row.scores or {}),
        explanation=row.explanation,
        excerpt=row.excerpt,
        criminal=row.criminal,
        action_taken=row.action_taken,
        action_status=row.action_status,
        status=IncidentStatus(row.status),
        reported_by=row.reported_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        target_person_id=row.target_person_id,
        target_account=row.target_account,
        case_id=row.case_id,
        escalation=row.escalation,
        resolution_note=row.resolution_note,
        measure=row.measure,
        parents_informed=row.parents_informed,
        closed_at=row.closed_at,
        erased_at=row.erased_at,
        reviewers=tuple(ReviewerAssignment(PersonId(r.person_id), r.reason) for r in row.reviewers),
        history=tuple(HistoryEntry(h.at, h.actor, h.action, h.detail) for h in row.history) if with_history else (),
    )
