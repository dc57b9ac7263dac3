"""The incident log's side of R2 repeated targeting (the rule is moderation/rules/repeated_targeting.py).

Recording a counted incident also notes whom it was aimed at, finds the author's other incidents aimed at the same
person within the rule's window, and links them to a case: the open one, or a new one when the rule makes one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from moderation.incidents.store import SqlIncidentStore, incident_row
from moderation.model import (
    OPEN_STATUSES,
    TARGETING_CATEGORIES,
    AccountId,
    Action,
    EventId,
    HistoryAction,
    IncidentStatus,
    Message,
    PersonId,
    Platform,
    RoomId,
)
from moderation.ports import Directory, IncidentDraft, IncidentRef
from moderation.rules.repeated_targeting import (
    CASE_RULE_NAME,
    Related,
    RepeatedTargeting,
    Target,
    case_reviewers,
    find_target,
)
from moderation.storage.incidents import HistoryRow, IncidentRow

log = logging.getLogger(__name__)


class TargetingIncidentStore:
    """The IncidentStore port: records through `inner`, then notes the target and links repeated-targeting cases
    as the rule decides."""

    def __init__(
        self,
        inner: SqlIncidentStore,
        sessions: sessionmaker[Session],
        directory: Callable[[], Directory],
        *,
        window_days: int,
        threshold: int,
    ) -> None:
        self._inner = inner
        self._sessions = sessions
        self._directory = directory
        self._rule = RepeatedTargeting(window_days=window_days, threshold=threshold)

    def record(self, draft: IncidentDraft, now: datetime) -> IncidentRef | None:
        ref = self._inner.record(draft, now)
        if ref is None or not self._rule.counts(draft.verdict.category):
            return ref
        try:
            self._note_target(ref, draft, now)
        except (OperationalError, InterfaceError):
            # The incident itself is stored: its actions must still happen. Only the case link is missing.
            log.exception("incident #%d is stored, but its target could not be noted", ref.id)
        return ref

    def _note_target(self, ref: IncidentRef, draft: IncidentDraft, now: datetime) -> None:
        directory = self._directory()
        target = find_target(draft.message, directory, self._reply_author(draft.message))
        if target is None:
            return
        for _attempt in range(2):  # a concurrent writer may create the same case first: link to theirs
            try:
                self._note(ref.id, target, directory, now)
                return
            except IntegrityError:
                log.info("another writer made the same repeated-targeting case; linking again")

    def record_actions(self, incident_id: int, actions: Sequence[Action], status: str, now: datetime) -> None:
        self._inner.record_actions(incident_id, actions, status, now)

    def _reply_author(self, message: Message) -> AccountId | None:
        given: str | None = message.reply_to_author
        if given:
            return AccountId(given)
        if message.reply_to is None:
            return None
        with self._sessions() as session:  # the replied-to message may itself be a stored incident
            found = session.scalars(
                select(IncidentRow.author_account)
                .where(IncidentRow.platform == message.platform.value, IncidentRow.room_id == message.room_id)
                .where(or_(IncidentRow.event_id == message.reply_to, IncidentRow.message_id == message.reply_to))
                .limit(1)
            ).first()
        return AccountId(found) if found else None

    def _note(self, incident_id: int, target: Target, directory: Directory, now: datetime) -> None:
        with self._sessions.begin() as session:
            row = session.get(IncidentRow, incident_id)
            assert row is not None
            row.target_account = target.account
            row.target_person_id = target.person.id if target.person else None
            session.flush()
            case = self._open_case(session, row)
            related = self._related(session, row, now, case)
            if case is None:
                case = self._new_case(session, related, directory, now)
                if case is None:
                    return
            for member in related:
                if member.case_id is None:
                    member.case_id = case.id
                    linked = HistoryAction.LINKED.value
                    session.add(
                        HistoryRow(incident_id=case.id, at=now, actor="system", action=linked, detail=f"#{member.id}")
                    )

    def _related(
        self, session: Session, row: IncidentRow, now: datetime, case: IncidentRow | None
    ) -> list[IncidentRow]:
        """The author's incidents aimed at the same person within the window, not yet part of a closed case."""
        linked = (
            IncidentRow.case_id.is_(None)
            if case is None
            else or_(IncidentRow.case_id.is_(None), IncidentRow.case_id == case.id)
        )
        query = (
            select(IncidentRow)
            .where(IncidentRow.rule_name != CASE_RULE_NAME, IncidentRow.status != IncidentStatus.DISMISSED.value)
            .where(IncidentRow.category.in_(sorted(c.value for c in TARGETING_CATEGORIES)))
            .where(IncidentRow.created_at >= now - self._rule.window)
            .where(_same_author(row), _same_target(row), linked)
            .order_by(IncidentRow.created_at, IncidentRow.id)
        )
        return list(session.scalars(query))

    def _open_case(self, session: Session, row: IncidentRow) -> IncidentRow | None:
        query = (
            select(IncidentRow)
            .where(
                IncidentRow.rule_name == CASE_RULE_NAME, IncidentRow.status.in_(sorted(s.value for s in OPEN_STATUSES))
            )
            .where(_same_author(row), _same_target(row))
        )
        return session.scalars(query.limit(1)).first()

    def _new_case(
        self, session: Session, related: list[IncidentRow], directory: Directory, now: datetime
    ) -> IncidentRow | None:
        verdict = self._rule.evaluate([Related(r.id, r.criminal) for r in related])
        if verdict is None:
            return None
        first, last = related[0], related[-1]
        author = directory.person(PersonId(last.author_person_id)) if last.author_person_id else None
        key = EventId(f"case:{first.id}")  # one case per first incident, also under concurrent writers
        about = Message(
            Platform(first.platform), RoomId(first.room_id), key, AccountId(last.author_account or ""), "", now, key
        )
        draft = IncidentDraft(about, verdict, author, case_reviewers(author, verdict, directory), first.room_name)
        case = incident_row(draft, now)
        case.author_person_id = last.author_person_id  # also when they have left the roster since
        case.target_account, case.target_person_id = last.target_account, last.target_person_id
        session.add(case)
        session.flush()
        return case


def _same_author(row: IncidentRow) -> ColumnElement[bool]:
    if row.author_person_id:
        return IncidentRow.author_person_id == row.author_person_id
    return (IncidentRow.author_account == row.author_account) & (IncidentRow.platform == row.platform)


def _same_target(row: IncidentRow) -> ColumnElement[bool]:
    if row.target_person_id:
        return IncidentRow.target_person_id == row.target_person_id
    return (IncidentRow.target_account == row.target_account) & (IncidentRow.platform == row.platform)
