"""R2 repeated targeting: several incidents by the same author aimed at the same person within a window become one
bullying case for the anti-bullying coordinator, with the incidents linked to it.

Who a message is aimed at: the author of the message it replies to, else the first person it mentions (never the
author themself). The case is itself an incident (rule R2, rule name `repeated_targeting`, category harassment),
so it is reviewed, listed, digested, retained and exported like any other; its members point at it by `case_id`.

`TargetingIncidentStore` wraps the incident store the Moderator writes to, so no pipeline change is needed: the
composition root builds `TargetingIncidentStore(SqlIncidentStore(sessions), ...)` instead of the bare store.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from moderation.incidents.access import CASE_RULE_NAME
from moderation.incidents.routing import COORDINATOR, route
from moderation.incidents.store import SqlIncidentStore
from moderation.model import AccountId, Action, Category, Message, Person, PersonId, Platform, Severity, Verdict
from moderation.ports import Directory, IncidentDraft, IncidentRef
from moderation.storage.incidents import HistoryRow, IncidentRow, ReviewerRow

log = logging.getLogger(__name__)

# Incidents about what someone did to someone: these count towards repeated targeting.
COUNTED = frozenset(
    {Category.INSULT, Category.HARASSMENT, Category.THREAT, Category.DISCRIMINATION, Category.SEXUAL, Category.REPORTED}
)
_MENTION = {
    Platform.DISCORD: re.compile(r"<@!?(\d{15,21})>"),
    Platform.MATRIX: re.compile(r"(@[a-z0-9._=\-/+]+:[A-Za-z0-9.\-]+(?::\d+)?)"),
    Platform.CONSOLE: re.compile(r"(?<![\w@])@([\w.\-]+)"),
}


@dataclass(frozen=True, slots=True)
class Target:
    account: AccountId
    person: Person | None


def mentioned_accounts(message: Message) -> list[AccountId]:
    """Accounts a message mentions: the adapter's own list when it gives one, then the platform's text form."""
    given: Sequence[str] = message.mentions  # the text form is the fallback
    found = [AccountId(a) for a in given]
    pattern = _MENTION.get(message.platform)
    if pattern is not None:
        found += [
            AccountId(m.lower() if message.platform is Platform.CONSOLE else m) for m in pattern.findall(message.text)
        ]
    return list(dict.fromkeys(found))


def find_target(message: Message, directory: Directory, reply_author: AccountId | None) -> Target | None:
    author = directory.person_for(message.platform, message.author)
    candidates = ([reply_author] if reply_author else []) + mentioned_accounts(message)
    for account in candidates:
        person = directory.person_for(message.platform, account)
        if account == message.author or (person is not None and author is not None and person.id == author.id):
            continue  # replying to or naming yourself targets nobody
        return Target(account, person)
    return None


class TargetingIncidentStore:
    """The IncidentStore port: records through `inner`, then notes the target and builds repeated-targeting cases."""

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
        self._window = timedelta(days=window_days)
        self._threshold = threshold

    def record(self, draft: IncidentDraft, now: datetime) -> IncidentRef | None:
        ref = self._inner.record(draft, now)
        if ref is None or draft.verdict.category not in COUNTED:
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
            if case is None and len(related) < self._threshold:
                return
            case = case or self._new_case(session, related, directory, now)
            for member in related:
                if member.case_id is None:
                    member.case_id = case.id
                    session.add(
                        HistoryRow(incident_id=case.id, at=now, actor="system", action="linked", detail=f"#{member.id}")
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
            .where(IncidentRow.rule_name != CASE_RULE_NAME, IncidentRow.status != "dismissed")
            .where(IncidentRow.category.in_([c.value for c in COUNTED]))
            .where(IncidentRow.created_at >= now - self._window)
            .where(_same_author(row), _same_target(row), linked)
            .order_by(IncidentRow.created_at, IncidentRow.id)
        )
        return list(session.scalars(query))

    def _open_case(self, session: Session, row: IncidentRow) -> IncidentRow | None:
        query = (
            select(IncidentRow)
            .where(IncidentRow.rule_name == CASE_RULE_NAME, IncidentRow.status.in_(("open", "in-review")))
            .where(_same_author(row), _same_target(row))
        )
        return session.scalars(query.limit(1)).first()

    def _new_case(
        self, session: Session, related: list[IncidentRow], directory: Directory, now: datetime
    ) -> IncidentRow:
        first, last = related[0], related[-1]
        author = directory.person(PersonId(last.author_person_id)) if last.author_person_id else None
        days = self._window.days
        verdict = Verdict("R2", CASE_RULE_NAME, Category.HARASSMENT, Severity.HIGH, 1.0, "repeated targeting")
        reviewers = {r.person_id: r.reason for r in route(author, verdict, directory)}
        for coordinator in directory.coordinators():
            if author is None or coordinator.id != author.id:
                reviewers.setdefault(coordinator.id, COORDINATOR)  # R13: bullying is the coordinator's, staff too
        members = ", ".join(f"#{r.id}" for r in related)
        case = IncidentRow(
            platform=first.platform,
            room_id=first.room_id,
            room_name=first.room_name,
            event_id=f"case:{first.id}",  # one case per first incident, also under concurrent writers
            message_id=f"case:{first.id}",
            author_account=last.author_account,
            author_person_id=last.author_person_id,
            target_account=last.target_account,
            target_person_id=last.target_person_id,
            rule_id="R2",
            rule_name=CASE_RULE_NAME,
            category=Category.HARASSMENT.value,
            severity=int(Severity.HIGH),
            score=1.0,
            scores={},
            explanation=f"repeated targeting: {len(related)} incidents aimed at the same person within {days} days "
            f"({members})",
            excerpt=None,
            criminal=any(r.criminal for r in related),
            status="open",
            created_at=now,
            updated_at=now,
        )
        case.reviewers = [ReviewerRow(person_id=pid, reason=reason) for pid, reason in reviewers.items()]
        routed = ", ".join(f"{pid} ({reason})" for pid, reason in reviewers.items()) or "nobody"
        case.history = [HistoryRow(at=now, actor="system", action="created", detail=f"routed to {routed}")]
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
