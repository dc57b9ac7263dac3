"""The write side of the incident log, as the pipeline uses it (the IncidentStore port)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from moderation.model import Action, HistoryAction, IncidentStatus
from moderation.ports import IncidentDraft, IncidentRef, PendingAction, StoreUnavailable
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


@dataclass(frozen=True, slots=True)
class IncidentValues:
    """An incident's rows as column values: the incident, its reviewers, its first history line, its owed
    actions (the last three without the incident's id, which the database gives)."""

    incident: dict[str, Any]
    reviewers: list[dict[str, Any]]
    history: dict[str, Any]
    outbox: list[dict[str, Any]]


def incident_values(draft: IncidentDraft, now: datetime) -> IncidentValues:
    """The one way an incident becomes rows: with its reviewers, its first history line and its owed actions."""
    msg, verdict = draft.message, draft.verdict
    incident: dict[str, Any] = {
        "platform": msg.platform.value,
        "room_id": msg.room_id,
        "room_name": draft.room_name,
        "event_id": msg.event_id,
        "message_id": msg.target_id,
        "message_link": msg.link,
        "author_account": msg.author or None,
        "author_person_id": draft.author.id if draft.author else None,
        "rule_id": verdict.rule_id,
        "rule_name": verdict.rule_name,
        "category": verdict.category.value,
        "severity": int(verdict.severity),
        "score": float(verdict.score),
        "scores": dict(verdict.scores),
        "explanation": verdict.explanation,
        "excerpt": _excerpt(msg.text, verdict.excerpt),
        "criminal": verdict.criminal,
        "reported_by": draft.reported_by,
        "status": (IncidentStatus.OPEN if verdict.for_review else IncidentStatus.RESOLVED).value,
        "created_at": now,
        "updated_at": now,
    }
    if draft.owed and all(action.done for action in draft.owed):
        incident["action_taken"] = ", ".join(dict.fromkeys(a.kind for a in draft.owed))
        incident["action_status"] = "done"
    routed = ", ".join(f"{r.person_id} ({r.reason})" for r in draft.reviewers) or "nobody"
    return IncidentValues(
        incident,
        [{"person_id": r.person_id, "reason": r.reason} for r in draft.reviewers],
        {"at": now, "actor": "system", "action": HistoryAction.CREATED.value, "detail": f"routed to {routed}"},
        [
            {
                "platform": msg.platform.value,
                "kind": action.kind,
                "target": action.target,
                "status": "done" if action.done else "pending",
                "payload": dict(action.payload) if not action.done else {},
                "detail": "",
                "created_at": now,
                "done_at": now if action.done else None,
            }
            for action in draft.owed
        ],
    )


def incident_row(draft: IncidentDraft, now: datetime) -> IncidentRow:
    """The incident as ORM rows, for a caller that goes on working with it in its session."""
    values = incident_values(draft, now)
    row = IncidentRow(**values.incident)
    row.reviewers = [ReviewerRow(**r) for r in values.reviewers]
    row.history = [HistoryRow(**values.history)]
    row.outbox = [OutboxRow(**o) for o in values.outbox]
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
        # Plain INSERTs, not the ORM's unit of work: this write is on every abusive message's path, and the unit of
        # work cost four times as much CPU for the same rows.
        values = incident_values(draft, now)
        with self._sessions() as session:
            try:
                with session.begin():
                    connection = session.connection()
                    incident_id = connection.execute(_INSERT_INCIDENT, values.incident).scalar_one()
                    if values.reviewers:
                        connection.execute(
                            _INSERT_REVIEWER, [{"incident_id": incident_id, **r} for r in values.reviewers]
                        )
                    connection.execute(_INSERT_HISTORY, {"incident_id": incident_id, **values.history})
                    owed_ids = _insert_outbox(connection, incident_id, values.outbox)
            except IntegrityError:
                if self._exists(session, draft):
                    return None
                raise
        pending = tuple(
            PendingAction(owed_id, incident_id, o["kind"], o["target"], dict(o["payload"]))
            for owed_id, o in zip(owed_ids, values.outbox, strict=True)
            if o["status"] == "pending"
        )
        return IncidentRef(id=incident_id, draft=draft, created_at=now, pending=pending)

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


def _insert_outbox(connection: Connection, incident_id: int, outbox: list[dict[str, Any]]) -> list[int]:
    """The owed actions' rows; their ids, in the order given."""
    if not outbox:
        return []
    rows = [{"incident_id": incident_id, **o} for o in outbox]
    return list(connection.execute(_INSERT_OUTBOX, rows).scalars())


# Compiled once: the same statement for every incident (the columns not given get their defaults).
_TABLES = IncidentRow.metadata.tables
_INCIDENTS, _OUTBOX = _TABLES[IncidentRow.__tablename__], _TABLES[OutboxRow.__tablename__]
_INSERT_INCIDENT = insert(_INCIDENTS).returning(_INCIDENTS.c.id)
_INSERT_REVIEWER = insert(_TABLES[ReviewerRow.__tablename__])
_INSERT_HISTORY = insert(_TABLES[HistoryRow.__tablename__])
_INSERT_OUTBOX = insert(_OUTBOX).returning(_OUTBOX.c.id, sort_by_parameter_order=True)


def storage_reason(exc: OperationalError | InterfaceError) -> str:
    """The first line of the driver's message: what an admin needs to know, without the SQL."""
    return _reason(exc)


def _reason(exc: OperationalError | InterfaceError) -> str:
    return str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
