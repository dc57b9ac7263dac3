"""AVG rights: export everything stored about one person (JSON), and erase it — without touching other people's
incidents beyond removing this person from them.

A person is named by their roster id (`sanne`), or, for someone not on the roster, by a platform account
(`discord:123456789012345678`, `matrix:@x:school.nl`, `console:x`).

What "about the person" means here:
- their roster record and platform accounts;
- incidents they authored (all fields but who else was involved: reporter, target, reviewers' names);
- incidents aimed at them, reports they made, incidents they were assigned to review, and what they did as a
  reviewer: only the incident number, date, kind and status — the rest of those incidents is about someone else.

Erasure also takes the reporter's own words out of the reports they made, gives those reports a key that links
to nobody, and queues every incident whose text changed for its chat cards to be withdrawn (and, while still
open, sent again as they read now). On SQLite the erased bytes are overwritten (`secure_delete`) and the
write-ahead log is emptied, so the name and text are not left in the database files.

Every export and erasure is itself recorded (`privacy.log.*` in `bot_state`): who ran it, when, and what it
touched in numbers. An export names its subject until that subject is erased; an erasure never does.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, or_, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from moderation.incidents.db import AccountRow, HistoryRow, IncidentRow, MentorRow, PersonRow, ReviewerRow, StateRow
from moderation.incidents.report_key import unlinked_key
from moderation.incidents.routing import LEADERSHIP
from moderation.incidents.withdrawals import RENEW_KEY, queue_in
from moderation.model import Platform
from moderation.roster.link_privacy import erase_links, export_links

log = logging.getLogger(__name__)

ERASED = "[erased]"
LOG_KEY = "privacy.log."  # one bot_state row per export or erasure
# How a report's explanation starts (pipeline.py); what follows, up to the bot's own finding, is the reporter's.
REPORTED = "reported by a member of the school"
BOT_ALSO_SEES = "; the bot also sees: "
WORDS_ERASED = REPORTED + " (their words were erased)"
_PLATFORMS = {p.value for p in Platform}


class UnknownPerson(LookupError):
    """Nothing at all is stored about this person."""


@dataclass(frozen=True, slots=True)
class Subject:
    person_id: str | None
    accounts: tuple[tuple[str, str], ...]  # (platform, account id)
    name: str | None


def subject_for(session: Session, who: str) -> Subject:
    platform, sep, account = who.partition(":")
    if sep and platform in _PLATFORMS:
        owner = session.scalars(
            select(AccountRow).where(AccountRow.platform == platform, AccountRow.account_id == account)
        ).first()
        if owner is None:
            return Subject(None, ((platform, account),), None)
        who = owner.person_id
    row = session.get(PersonRow, who, options=[selectinload(PersonRow.accounts)])
    if row is None:
        return Subject(who, (), None)
    return Subject(row.id, tuple((a.platform, a.account_id) for a in row.accounts), row.name)


def _authored(subject: Subject) -> ColumnElement[bool]:
    clauses: list[ColumnElement[bool]] = [
        and_(IncidentRow.platform == platform, IncidentRow.author_account == account)
        for platform, account in subject.accounts
    ]
    if subject.person_id:
        clauses.append(IncidentRow.author_person_id == subject.person_id)
    return or_(*clauses) if clauses else false()


def _targeted(subject: Subject) -> ColumnElement[bool]:
    clauses: list[ColumnElement[bool]] = [
        and_(IncidentRow.platform == platform, IncidentRow.target_account == account)
        for platform, account in subject.accounts
    ]
    if subject.person_id:
        clauses.append(IncidentRow.target_person_id == subject.person_id)
    return or_(*clauses) if clauses else false()


def _reporter_keys(subject: Subject) -> list[str]:
    keys = [f"{platform}:{account}" for platform, account in subject.accounts]
    return keys + ([subject.person_id] if subject.person_id else [])


def _state_of(subject: Subject) -> Select[StateRow]:
    """Adapter state keyed by one of the person's accounts (`<platform>.<what>.<account id>`)."""
    keys = [
        StateRow.key.like(f"{platform}.%.{_literal(account)}", escape="\\") for platform, account in subject.accounts
    ]
    return select(StateRow).where(or_(*keys) if keys else false())


def _acted_as(subject: Subject) -> ColumnElement[bool]:
    """History lines of what the person did: in chat (their id) or on the command line (`cli:<os user> as id`)."""
    if not subject.person_id:
        return false()
    return or_(
        HistoryRow.actor == subject.person_id,
        HistoryRow.actor.like(f"cli:% as {_literal(subject.person_id)}", escape="\\"),
    )


def _literal(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


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


def export_person(sessions: sessionmaker[Session], who: str, now: datetime, *, actor: str) -> dict[str, Any]:
    """Everything stored about `who`, as JSON-ready data, recorded as read by `actor`. UnknownPerson when nothing
    is stored at all."""
    data = _export(sessions, who, now)
    with sessions.begin() as session:
        subject = subject_for(session, who)
        counts = {key: len(value) for key, value in data.items() if isinstance(value, list)}
        _record(session, now, actor, "export", _label(subject, who), counts)
    return data


def _export(sessions: sessionmaker[Session], who: str, now: datetime) -> dict[str, Any]:
    with sessions() as session:
        subject = subject_for(session, who)
        person = session.get(PersonRow, subject.person_id) if subject.person_id else None
        load = (selectinload(IncidentRow.reviewers), selectinload(IncidentRow.history))
        own = session.scalars(select(IncidentRow).options(*load).where(_authored(subject)).order_by(IncidentRow.id))
        aimed = session.scalars(select(IncidentRow).where(_targeted(subject)).order_by(IncidentRow.id))
        reported = session.scalars(
            select(IncidentRow).where(IncidentRow.reported_by.in_(_reporter_keys(subject))).order_by(IncidentRow.id)
        )
        assigned = session.scalars(select(ReviewerRow).where(ReviewerRow.person_id == (subject.person_id or "")))
        acted = session.scalars(select(HistoryRow).where(_acted_as(subject)))
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
                "on_current_roster": person.active,
                "updated_at": _iso(person.updated_at),
            },
            "accounts": [{"platform": p, "account": a} for p, a in subject.accounts],
            "incidents_about_you": [_own_incident(row) for row in own],
            "incidents_aimed_at_you": [_brief(row) for row in aimed],
            "reports_you_made": [_brief(row) for row in reported],
            "incidents_assigned_to_you": [{"id": r.incident_id, "as": r.reason} for r in assigned],
            "your_review_actions": [{"incident": h.incident_id, "at": _iso(h.at), "what": h.action} for h in acted],
            "platform_state": [{"key": r.key, "value": r.value} for r in session.scalars(_state_of(subject))],
            "account_linking": export_links(session, subject.person_id, subject.accounts),
        }
    found = ("incidents_about_you", "incidents_aimed_at_you", "reports_you_made", "your_review_actions")
    if person is None and not any(data[key] for key in found) and not data["account_linking"]["link_history"]:
        raise UnknownPerson(f"nothing is stored about {who!r}")
    return data


@dataclass
class ErasurePlan:
    who: str
    person_record: bool = False
    accounts: int = 0
    incidents_deleted: list[int] = field(default_factory=list)
    targets_cleared: list[int] = field(default_factory=list)
    reports_cleared: list[int] = field(default_factory=list)
    assignments_removed: list[int] = field(default_factory=list)
    reassigned_to_leadership: list[int] = field(default_factory=list)
    history_lines_rewritten: int = 0
    platform_state_removed: int = 0  # e.g. the bot's direct room with this person on Matrix
    link_rows_removed: int = 0  # self-service account links, codes, their history, the school e-mail address
    relations_cleared: int = 0  # people whose mentor or manager this person was
    texts_scrubbed: list[int] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        """The plan in numbers only: what the privacy log keeps of an erasure."""
        return {
            "person_record": int(self.person_record),
            "accounts": self.accounts,
            "incidents_deleted": len(self.incidents_deleted),
            "targets_cleared": len(self.targets_cleared),
            "reports_cleared": len(self.reports_cleared),
            "assignments_removed": len(self.assignments_removed),
            "texts_scrubbed": len(self.texts_scrubbed),
            "history_lines_rewritten": self.history_lines_rewritten,
            "platform_state_removed": self.platform_state_removed,
            "link_rows_removed": self.link_rows_removed,
        }

    @property
    def empty(self) -> bool:
        return not (
            self.person_record
            or self.incidents_deleted
            or self.platform_state_removed
            or self.link_rows_removed
            or self.targets_cleared
            or self.reports_cleared
            or self.assignments_removed
            or self.history_lines_rewritten
            or self.texts_scrubbed
        )


def erase_person(sessions: sessionmaker[Session], who: str, now: datetime, *, dry_run: bool, actor: str) -> ErasurePlan:
    """Remove every trace of `who`, recorded as done by `actor`. Their own incidents go entirely; other people's
    incidents stay, without them. With `dry_run`, the same plan is computed and nothing is changed (the look at
    what would go is recorded)."""
    session = sessions()
    sqlite = session.get_bind().dialect.name == "sqlite"
    try:
        if sqlite and not dry_run:
            session.connection().exec_driver_sql("PRAGMA secure_delete=ON")  # freed bytes are zeroed, not left
        label = _label(subject_for(session, who), who)
        plan = _erase(session, who, now)
        if plan.empty:
            raise UnknownPerson(f"nothing is stored about {who!r}")
        if dry_run:
            session.rollback()
            with sessions.begin() as audit:
                _record(audit, now, actor, "erase-preview", label, plan.summary())
        else:
            _forget_subject(session, label)
            _record(session, now, actor, "erase", None, plan.summary())
            session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
    if sqlite and not dry_run:
        empty_write_ahead_log(sessions)
    return plan


def empty_write_ahead_log(sessions: sessionmaker[Session], attempts: int = 20) -> None:
    """SQLite: copy the write-ahead log into the database file and truncate it, so that erased rows are not left in
    the log's old frames. A reader (the running bot) can hold it up for a moment: try again, then say so."""
    where = ""
    for attempt in range(attempts):
        with sessions() as session:
            connection = session.connection()
            where = str(connection.engine.url.database)
            connection.exec_driver_sql("PRAGMA secure_delete=ON")
            busy, *_ = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        if not busy:
            return
        time.sleep(min(0.05 * 2**attempt, 1.0))
    log.error(
        "privacy erase: the SQLite write-ahead log could not be emptied (another process kept reading); "
        "the erased text may stay in %s-wal until the next checkpoint: run the erase again when the bot is idle",
        where,
    )


def _label(subject: Subject, who: str) -> str:
    return subject.person_id or who


def _record(session: Session, now: datetime, actor: str, action: str, subject: str | None, counts: Any) -> None:
    """One line in the privacy log: who ran which request, when, about whom (not for an erasure), in numbers."""
    entry = {"at": now.isoformat(), "by": actor, "action": action, "subject": subject, "counts": counts}
    key = f"{LOG_KEY}{time.time_ns():020d}.{secrets.token_hex(4)}"  # in the order written, unique across processes
    session.add(StateRow(key=key, value=json.dumps(entry, ensure_ascii=False), updated_at=now))


def _forget_subject(session: Session, subject: str) -> None:
    """Earlier exports of an erased person stay on record, without naming them."""
    for row in session.scalars(select(StateRow).where(StateRow.key.like(f"{LOG_KEY}%"))).all():
        try:
            entry = json.loads(row.value)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("subject") == subject:
            entry["subject"] = ERASED
            row.value = json.dumps(entry, ensure_ascii=False)


def privacy_log(sessions: sessionmaker[Session]) -> list[dict[str, Any]]:
    """The recorded exports and erasures, oldest first."""
    with sessions() as session:
        rows = session.scalars(select(StateRow).where(StateRow.key.like(f"{LOG_KEY}%")).order_by(StateRow.key))
        return [json.loads(row.value) for row in rows]


def without_reporters_words(explanation: str) -> str:
    """A report's explanation with the reporter's reason taken out; the bot's own finding about the message stays."""
    if not explanation.startswith(REPORTED):
        return explanation
    _, found, bot = explanation.rpartition(BOT_ALSO_SEES)
    return WORDS_ERASED + (BOT_ALSO_SEES + bot if found else "")


def _erase(session: Session, who: str, now: datetime) -> ErasurePlan:
    subject = subject_for(session, who)
    plan = ErasurePlan(who)
    for row in session.scalars(select(IncidentRow).where(_authored(subject)).order_by(IncidentRow.id)).all():
        plan.incidents_deleted.append(row.id)
        session.delete(row)
    session.flush()
    queue_in(session, plan.incidents_deleted, now)  # their cards in reviewers' chats go too (the bot works it off)
    for row in session.scalars(select(IncidentRow).where(_targeted(subject))).all():
        row.target_person_id = row.target_account = None
        plan.targets_cleared.append(row.id)
    for row in session.scalars(select(IncidentRow).where(IncidentRow.reported_by.in_(_reporter_keys(subject)))):
        row.reported_by = None
        row.explanation = without_reporters_words(row.explanation)
        row.event_id = unlinked_key()  # the old key may be re-computable from the reporter's account
        row.updated_at = now
        plan.reports_cleared.append(row.id)
    for state in session.scalars(_state_of(subject)).all():
        session.delete(state)
        plan.platform_state_removed += 1
    plan.link_rows_removed = erase_links(session, subject.person_id, subject.accounts)
    scrub = _scrubber(subject)
    if subject.person_id:
        pid = subject.person_id
        leaders = session.scalars(
            select(PersonRow.id).where(PersonRow.is_leadership.is_(True), PersonRow.active.is_(True))
        ).all()
        for assignment in session.scalars(select(ReviewerRow).where(ReviewerRow.person_id == pid)).all():
            incident = assignment.incident
            plan.assignments_removed.append(incident.id)
            incident.reviewers.remove(assignment)
            if not incident.reviewers and incident.status in ("open", "in-review"):
                for leader in leaders:
                    incident.reviewers.append(ReviewerRow(person_id=leader, reason=LEADERSHIP))
                plan.reassigned_to_leadership.append(incident.id)
        for line in session.scalars(select(HistoryRow).where(_acted_as(subject))).all():
            line.actor = ERASED if line.actor == pid else line.actor.removesuffix(pid) + ERASED
            plan.history_lines_rewritten += 1
        for other in session.scalars(
            select(PersonRow).where(or_(PersonRow.mentors.any(MentorRow.mentor_id == pid), PersonRow.manager_id == pid))
        ).all():
            other.mentors = [m for m in other.mentors if m.mentor_id != pid]
            other.manager_id = None if other.manager_id == pid else other.manager_id
            plan.relations_cleared += 1  # their incidents now go to leadership until the next roster import
        person = session.get(PersonRow, pid)
        if person is not None:
            plan.person_record, plan.accounts = True, len(person.accounts)
            session.delete(person)
    if scrub is not None:
        for line in session.scalars(select(HistoryRow).where(HistoryRow.detail != "")).all():
            cleaned = scrub(line.detail)
            if cleaned != line.detail:
                line.detail = cleaned
                plan.history_lines_rewritten += 1
        for row in session.scalars(select(IncidentRow)).all():
            excerpt = scrub(row.excerpt) if row.excerpt else row.excerpt
            explanation = scrub(row.explanation)
            note = scrub(row.resolution_note) if row.resolution_note else row.resolution_note
            if (excerpt, explanation, note) != (row.excerpt, row.explanation, row.resolution_note):
                row.excerpt, row.explanation, row.resolution_note = excerpt, explanation, note
                row.updated_at = now
                plan.texts_scrubbed.append(row.id)
    session.flush()
    # Their cards in reviewers' chats still read as before: withdrawn, and (while open) sent again as they read now.
    changed = (plan.targets_cleared, plan.reports_cleared, plan.assignments_removed, plan.texts_scrubbed)
    renew = {n for ids in changed for n in ids} - set(plan.incidents_deleted)
    queue_in(session, sorted(renew), now, key=RENEW_KEY)
    return plan


def _scrubber(subject: Subject) -> Callable[[str], str] | None:
    """Replace the person's id, name and account ids inside free text by ERASED (whole words only)."""
    words = [w for w in (subject.person_id, subject.name, *(a for _, a in subject.accounts)) if w]
    if not words:
        return None
    pattern = re.compile(
        "|".join(rf"(?<![\w@])@?{re.escape(w)}(?![\w])" for w in sorted(words, key=len, reverse=True)), re.IGNORECASE
    )

    def scrub(text: str) -> str:
        return pattern.sub(ERASED, text)

    return scrub
