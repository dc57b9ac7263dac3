"""The write side of the incident log, as the pipeline uses it (the IncidentStore port)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from moderation.model import Action, HistoryAction, IncidentStatus
from moderation.ports import IncidentDraft, IncidentRef, StoreUnavailable
from moderation.storage.incidents import EXCERPT_MAX, HistoryRow, IncidentRow, OutboxRow, ReviewerRow

# C0 controls except tab and newline: PostgreSQL refuses NUL in text, and none of them helps a reviewer.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def make_excerpt(text: str) -> str:
    """The part of a message kept for review: control characters removed, capped at EXCERPT_MAX characters."""
    clean = _CONTROL.sub("", text.encode("utf-8", "replace").decode("utf-8"))
    if len(clean) <= EXCERPT_MAX:
        return clean
    return clean[: EXCERPT_MAX - 1] + "…"


def _excerpt(text: str, masked: str | None) -> str | None:
    """A rule that found personal data in the text gives its masked version, which is kept instead."""
    kept = masked if masked is not None else text
    return make_excerpt(kept) if kept else None


def incident_row(draft: IncidentDraft, now: datetime) -> IncidentRow:
    """The one way an incident becomes a row: with its reviewers, its first history line and its owed actions."""
    msg, verdict = draft.message, draft.verdict
    row = IncidentRow(
        platform=msg.platform.value,
        room_id=msg.room_id,
        room_name=draft.room_name,
        event_id=msg.event_id,
        message_id=msg.target_id,
        message_link=msg.link,
        author_account=msg.author or None,
        author_person_id=draft.author.id if draft.author else None,
        rule_id=verdict.rule_id,
        rule_name=verdict.rule_name,
        category=verdict.category.value,
        severity=int(verdict.severity),
        score=float(verdict.score),
        scores=dict(verdict.scores),
        explanation=verdict.explanation,
        excerpt=_excerpt(msg.text, verdict.excerpt),
        criminal=verdict.criminal,
        reported_by=draft.reported_by,
        status=(IncidentStatus.OPEN if verdict.for_review else IncidentStatus.RESOLVED).value,
        created_at=now,
        updated_at=now,
    )
    row.reviewers = [ReviewerRow(person_id=r.person_id, reason=r.reason) for r in draft.reviewers]
    routed = ", ".join(f"{r.person_id} ({r.reason})" for r in draft.reviewers) or "nobody"
    row.history = [HistoryRow(at=now, actor="system", action=HistoryAction.CREATED.value, detail=f"routed to {routed}")]
    owed = [
        OutboxRow(
            platform=msg.platform.value,
            kind=action.kind,
            target=action.target,
            status="done" if action.done else "pending",
            payload=dict(action.payload) if not action.done else {},
            detail="",
            created_at=now,
            done_at=now if action.done else None,
        )
        for action in draft.owed
    ]
    row.outbox = owed
    if draft.owed and all(action.done for action in draft.owed):
        row.action_taken, row.action_status = ", ".join(dict.fromkeys(a.kind for a in draft.owed)), "done"
    return row


class SqlIncidentStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def record(self, draft: IncidentDraft, now: datetime) -> IncidentRef | None:
        """Store a new incident; None when this platform event already has one (a replay)."""
        try:
            return self._record(draft, now)
        except (OperationalError, InterfaceError) as exc:
            raise StoreUnavailable(_reason(exc)) from exc

    def _record(self, draft: IncidentDraft, now: datetime) -> IncidentRef | None:
        row = incident_row(draft, now)
        with self._sessions() as session:
            session.add(row)
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                if self._exists(session, draft):
                    return None
                raise
            return IncidentRef(id=row.id, draft=draft, created_at=now)

    @staticmethod
    def _exists(session: Session, draft: IncidentDraft) -> bool:
        msg = draft.message
        found = (
            session.query(IncidentRow.id)
            .filter_by(platform=msg.platform.value, room_id=msg.room_id, event_id=msg.event_id)
            .first()
        )
        return found is not None

    def record_actions(self, incident_id: int, actions: Sequence[Action], status: str, now: datetime) -> None:
        try:
            self._record_actions(incident_id, actions, status, now)
        except (OperationalError, InterfaceError) as exc:
            raise StoreUnavailable(_reason(exc)) from exc

    def _record_actions(self, incident_id: int, actions: Sequence[Action], status: str, now: datetime) -> None:
        with self._sessions.begin() as session:
            row = session.get(IncidentRow, incident_id)
            if row is None:
                raise KeyError(f"incident {incident_id} does not exist")
            row.action_taken = ", ".join(a.kind.value for a in actions) or "none"
            row.action_status = status
            row.updated_at = now
            for action in actions:
                outcome = "ok" if action.ok else "FAILED"
                detail = f"{outcome}: {action.detail}" if action.detail else outcome
                row.history.append(
                    HistoryRow(at=now, actor="system", action=HistoryAction.of(action.kind).value, detail=detail)
                )


def storage_reason(exc: OperationalError | InterfaceError) -> str:
    """The first line of the driver's message: what an admin needs to know, without the SQL."""
    return _reason(exc)


def _reason(exc: OperationalError | InterfaceError) -> str:
    return str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
