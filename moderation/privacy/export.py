"""AVG access: everything stored about one person, as JSON-ready data."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from moderation.announcements.reads import export_reads
from moderation.ports import PersonalDataHook
from moderation.privacy.log import record
from moderation.privacy.state import export_platform_state
from moderation.privacy.subject import (
    UnknownPerson,
    acted_as,
    authored,
    data_subject,
    label,
    reporter_keys,
    subject_for,
    targeted,
)
from moderation.roster.link_privacy import export_links
from moderation.storage.incidents import HistoryRow, IncidentRow, ReviewerRow
from moderation.storage.people import PersonRow


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _own_incident(row: IncidentRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "platform": row.platform,
        "room": row.room_name,
        "at": _iso(row.created_at),
        "account": row.author_account,
        "rule": row.rule_id,
        "category": row.category,
        "severity": row.severity,
        "score": row.score,
        "scores": dict(row.scores or {}),
        "explanation": row.explanation,
        "message_excerpt": row.excerpt,
        "message_erased_at": _iso(row.erased_at),
        "actions_taken": row.action_taken,
        "status": row.status,
        "escalation": row.escalation,
        "outcome_note": row.resolution_note,
        "measure": row.measure,
        "parents_informed": row.parents_informed,
        "closed_at": _iso(row.closed_at),
        "part_of_case": row.case_id,
        "reviewed_by_roles": sorted({r.reason for r in row.reviewers}),
        "history": [{"at": _iso(h.at), "what": h.action} for h in row.history],
    }


def _brief(row: IncidentRow) -> dict[str, Any]:
    return {"id": row.id, "at": _iso(row.created_at), "category": row.category, "status": row.status}


def export_person(
    sessions: sessionmaker[Session],
    who: str,
    now: datetime,
    *,
    actor: str,
    hooks: Sequence[PersonalDataHook] = (),
) -> dict[str, Any]:
    """Everything stored about `who`, as JSON-ready data, recorded as read by `actor`; `hooks` add what each
    platform adapter keeps about them. UnknownPerson when nothing is stored at all."""
    data = _export(sessions, who, now, hooks)
    with sessions.begin() as session:
        subject = subject_for(session, who)
        counts = {key: len(value) for key, value in data.items() if isinstance(value, list)}
        record(session, now, actor, "export", label(subject, who), counts)
    return data


def _export(
    sessions: sessionmaker[Session], who: str, now: datetime, hooks: Sequence[PersonalDataHook]
) -> dict[str, Any]:
    with sessions() as session:
        subject = subject_for(session, who)
        person = session.get(PersonRow, subject.person_id) if subject.person_id else None
        load = (selectinload(IncidentRow.reviewers), selectinload(IncidentRow.history))
        own = session.scalars(select(IncidentRow).options(*load).where(authored(subject)).order_by(IncidentRow.id))
        aimed = session.scalars(select(IncidentRow).where(targeted(subject)).order_by(IncidentRow.id))
        reported = session.scalars(
            select(IncidentRow).where(IncidentRow.reported_by.in_(reporter_keys(subject))).order_by(IncidentRow.id)
        )
        assigned = session.scalars(select(ReviewerRow).where(ReviewerRow.person_id == (subject.person_id or "")))
        acted = session.scalars(select(HistoryRow).where(acted_as(subject)))
        data: dict[str, Any] = {
            "exported_at": now.isoformat(),
            "person": None
            if person is None
            else {
                "id": person.id,
                "name": person.name,
                "role": person.role,
                "class": person.class_name,
                "mentors": [m.mentor_id for m in person.mentors],
                "manager": person.manager_id,
                "anti_bullying_coordinator": person.is_coordinator,
                "school_leadership": person.is_leadership,
                "privacy_officer": person.is_privacy_officer,
                "on_current_roster": person.active,
                "updated_at": _iso(person.updated_at),
            },
            "accounts": [{"platform": p, "account": a} for p, a in subject.accounts],
            "incidents_about_you": [_own_incident(row) for row in own],
            "incidents_aimed_at_you": [_brief(row) for row in aimed],
            "reports_you_made": [_brief(row) for row in reported],
            "incidents_assigned_to_you": [{"id": r.incident_id, "as": r.reason} for r in assigned],
            "your_review_actions": [{"incident": h.incident_id, "at": _iso(h.at), "what": h.action} for h in acted],
            "platform_state": export_platform_state(session, data_subject(subject), hooks),
            "account_linking": export_links(session, subject.person_id, subject.accounts),
            "announcements_you_confirmed_reading": export_reads(session, subject.accounts),
        }
    found = ("incidents_about_you", "incidents_aimed_at_you", "reports_you_made", "your_review_actions")
    if person is None and not any(data[key] for key in found) and not data["account_linking"]["link_history"]:
        raise UnknownPerson(f"nothing is stored about {who!r}")
    return data
