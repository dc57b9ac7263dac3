"""The outbox: what must still be done for each incident (delete, notice, each copy of its card), in the database.

The pipeline writes the owed actions in the incident's own transaction (see SqlIncidentStore.record) and marks each
one done, with its history line, after the platform call succeeded. Whatever a crash or a stop interrupts is still
pending here, and is done at the next start (or when the platform replays the event). Marking done is a
compare-and-set on `status = 'pending'`, so an action is never recorded twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, CursorResult, bindparam, insert, select, update
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from moderation.model import (
    AccountId,
    ActionKind,
    Category,
    EventId,
    HistoryAction,
    Message,
    PersonId,
    Platform,
    RoomId,
    Severity,
    Verdict,
)
from moderation.ports import (
    CARD,
    Directory,
    IncidentDraft,
    IncidentRef,
    Mark,
    PendingAction,
    ReviewerAssignment,
    StoreUnavailable,
)
from moderation.storage.engine import storage_reason
from moderation.storage.incidents import HistoryRow, IncidentRow, OutboxRow

MESSAGE = "message"  # payload key: the parts of the message the incident row does not keep (for the card)
DRY = "dry"  # payload key: a dry-run room's action, recorded but not done (kept after it is finished)


def message_snapshot(message: Message) -> dict[str, object]:
    """What acting on an incident after a restart needs of its message, beyond the incident row."""
    return {
        "sent_at": message.sent_at.isoformat(),
        "author_name": message.author_name,
        "is_edit": message.is_edit,
        "has_media": message.has_media,
        "is_forward": message.is_forward,
        "by_integration": message.by_integration,  # a webhook's post: nobody to send a notice to
        "forged_edit_of": message.forged_edit_of,
    }


class SqlOutbox:
    def __init__(self, sessions: sessionmaker[Session], directory: Callable[[], Directory]) -> None:
        self._sessions = sessions
        self._directory = directory  # the roster of the moment (swapped after an import)

    def pending(
        self, platform: Platform, *, incident_id: int | None = None, event: tuple[RoomId, EventId] | None = None
    ) -> list[PendingAction]:
        query = select(OutboxRow).where(OutboxRow.status == "pending", OutboxRow.platform == platform.value)
        if incident_id is not None:
            query = query.where(OutboxRow.incident_id == incident_id)
        if event is not None:
            room_id, event_id = event
            query = query.join(IncidentRow, IncidentRow.id == OutboxRow.incident_id).where(
                IncidentRow.platform == platform.value, IncidentRow.room_id == room_id, IncidentRow.event_id == event_id
            )
        with self._session() as session:
            rows = session.scalars(query.order_by(OutboxRow.id)).all()
            return [PendingAction(r.id, r.incident_id, r.kind, r.target, dict(r.payload or {})) for r in rows]

    def incident(self, incident_id: int) -> IncidentRef | None:
        with self._session() as session:
            row = session.get(IncidentRow, incident_id, options=[selectinload(IncidentRow.reviewers)])
            if row is None:
                return None
            snapshot: dict[str, object] = {}
            for owed in session.scalars(select(OutboxRow).where(OutboxRow.incident_id == incident_id)):
                found = (owed.payload or {}).get(MESSAGE)
                if isinstance(found, dict):
                    snapshot = found
                    break
            return _rebuild(row, snapshot, self._directory())

    def finish(self, action_id: int, ok: bool, detail: str, now: datetime) -> bool:
        return bool(self.finish_many([Mark(action_id, ok, detail)], now))

    def finish_many(self, marks: Sequence[Mark], now: datetime) -> set[int]:
        """Mark several actions done (or failed) in one transaction; the ids that were still pending."""
        finished: set[int] = set()
        if not marks:
            return finished
        with self._session() as session, session.begin():
            connection = session.connection()
            ids = [mark.action_id for mark in marks]
            owed = {row.id: row for row in connection.execute(_PENDING_OF, {"ids": ids})}
            history: list[dict[str, object]] = []
            for mark in marks:
                row = owed.get(mark.action_id)
                if row is None or not _claim(connection, mark, now, dry=bool((row.payload or {}).get(DRY))):
                    continue  # finished by someone else in the meantime: its history line is already there
                finished.add(mark.action_id)
                history.append(_history_line(row.incident_id, row.kind, row.target, mark, now))
            if history:
                connection.execute(_INSERT_HISTORY, history)
            touched = {owed[i].incident_id for i in finished}
            left = set(connection.scalars(_STILL_OWED, {"incidents": sorted(touched)})) if touched else set()
            for incident_id in sorted(touched - left):
                _settle(session, incident_id, now)
        return finished

    @contextmanager
    def _session(self) -> Iterator[Session]:
        try:
            with self._sessions() as session:
                yield session
        except (OperationalError, InterfaceError) as exc:
            raise StoreUnavailable(storage_reason(exc)) from exc


def history_action(kind: str) -> HistoryAction:
    """The history line's action: a card copy is part of announcing the incident."""
    return HistoryAction.ANNOUNCE if kind == CARD else HistoryAction.of(ActionKind(kind))


_OUTBOX = OutboxRow.metadata.tables[OutboxRow.__tablename__]
_PENDING_OF = select(_OUTBOX.c.id, _OUTBOX.c.incident_id, _OUTBOX.c.kind, _OUTBOX.c.target, _OUTBOX.c.payload).where(
    _OUTBOX.c.id.in_(bindparam("ids", expanding=True)), _OUTBOX.c.status == "pending"
)
# A compare-and-set on `status = 'pending'`: of two finishers (a replay, a second process) one wins.
_FINISH = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("action_id"), _OUTBOX.c.status == "pending")
    .values(
        status=bindparam("new_status"),
        detail=bindparam("new_detail"),
        done_at=bindparam("finished_at"),
        payload=bindparam("kept", type_=_OUTBOX.c.payload.type),
    )
)
_INSERT_HISTORY = insert(HistoryRow.metadata.tables[HistoryRow.__tablename__])
_STILL_OWED = (
    select(_OUTBOX.c.incident_id)
    .where(_OUTBOX.c.incident_id.in_(bindparam("incidents", expanding=True)), _OUTBOX.c.status == "pending")
    .distinct()
)


def _claim(connection: Connection, mark: Mark, now: datetime, *, dry: bool) -> bool:
    values = {
        "action_id": mark.action_id,
        "new_status": "done" if mark.ok else "failed",
        "new_detail": mark.detail,
        "finished_at": now,
        "kept": {DRY: True} if dry else {},
    }
    return cast(CursorResult[Any], connection.execute(_FINISH, values)).rowcount == 1


def _history_line(incident_id: int, kind: str, target: str, mark: Mark, now: datetime) -> dict[str, object]:
    outcome = "ok" if mark.ok else "FAILED"
    detail = mark.detail
    shown = f"card for {target}" + (f": {detail}" if detail else "") if kind == CARD else detail
    return {
        "incident_id": incident_id,
        "at": now,
        "actor": "system",
        "action": history_action(kind).value,
        "detail": f"{outcome}: {shown}" if shown else outcome,
    }


def _settle(session: Session, incident_id: int, now: datetime) -> None:
    """Every owed action is finished: the incident says what was done, and whether all of it went well."""
    # Columns, not objects: the row just finished was updated behind the session's back.
    rows = session.execute(
        select(OutboxRow.kind, OutboxRow.status, OutboxRow.payload)
        .where(OutboxRow.incident_id == incident_id)
        .order_by(OutboxRow.id)
    ).all()
    incident = session.get(IncidentRow, incident_id)
    if incident is None:
        return
    if any((r.payload or {}).get(DRY) for r in rows):
        status = "dry-run"
    elif any(r.status == "failed" for r in rows):
        status = "failed"
    else:
        status = "done"
    incident.action_taken = (", ".join(dict.fromkeys(history_action(r.kind) for r in rows)) or "none")[:200]
    incident.action_status = status
    incident.updated_at = now


def _rebuild(row: IncidentRow, snapshot: dict[str, object], directory: Directory) -> IncidentRef:
    sent_at = row.created_at
    raw_sent = snapshot.get("sent_at")
    if isinstance(raw_sent, str):
        with suppress(ValueError):
            sent_at = datetime.fromisoformat(raw_sent)
    platform = Platform(row.platform)
    message = Message(
        platform=platform,
        room_id=RoomId(row.room_id),
        event_id=EventId(row.event_id),
        author=AccountId(row.author_account or ""),
        text=row.excerpt or "",
        sent_at=sent_at,
        message_id=EventId(row.message_id),
        author_name=str(snapshot.get("author_name") or ""),
        is_edit=bool(snapshot.get("is_edit")),
        has_media=bool(snapshot.get("has_media")),
        is_forward=bool(snapshot.get("is_forward")),
        by_integration=bool(snapshot.get("by_integration")),
        forged_edit_of=AccountId(forged) if isinstance(forged := snapshot.get("forged_edit_of"), str) else None,
        link=row.message_link,
    )
    verdict = Verdict(
        rule_id=row.rule_id,
        rule_name=row.rule_name,
        category=Category(row.category),
        severity=Severity(row.severity),
        score=row.score,
        explanation=row.explanation,
        actions=(),
        criminal=row.criminal,
        scores=tuple((row.scores or {}).items()),
    )
    author = directory.person(PersonId(row.author_person_id)) if row.author_person_id else None
    reviewers = tuple(ReviewerAssignment(PersonId(r.person_id), r.reason) for r in row.reviewers)
    draft = IncidentDraft(message, verdict, author, reviewers, row.room_name, reported_by=row.reported_by)
    return IncidentRef(id=row.id, draft=draft, created_at=row.created_at)
