"""AVG erasure: every trace of one person. Their own incidents go entirely; other people's incidents stay, without
them (and with their words taken out of the reports they made)."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from moderation.announcements.reads import erase_reads
from moderation.incidents.report_key import unlinked_key
from moderation.incidents.routing import LEADERSHIP
from moderation.incidents.withdrawals import RENEW_KEY, queue_in
from moderation.model import OPEN_STATUSES
from moderation.ports import PersonalDataHook
from moderation.privacy.log import ERASED, forget_subject, record
from moderation.privacy.state import erase_platform_state
from moderation.privacy.subject import (
    Subject,
    UnknownPerson,
    acted_as,
    authored,
    data_subject,
    label,
    reporter_keys,
    subject_for,
    targeted,
)
from moderation.roster.link_privacy import erase_links
from moderation.storage.desk import DeskLinkRow, DeskSessionRow
from moderation.storage.incidents import HistoryRow, IncidentRow, ReviewerRow
from moderation.storage.people import MentorRow, PersonRow

log = logging.getLogger(__name__)

# How a report's explanation starts (pipeline.py); what follows, up to the bot's own finding, is the reporter's.
REPORTED = "reported by a member of the school"
BOT_ALSO_SEES = "; the bot also sees: "
WORDS_ERASED = REPORTED + " (their words were erased)"


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
    reads_removed: int = 0  # "Gelezen ✓" confirmations of announcements
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
            "reads_removed": self.reads_removed,
        }

    @property
    def empty(self) -> bool:
        return not (
            self.person_record
            or self.incidents_deleted
            or self.platform_state_removed
            or self.link_rows_removed
            or self.reads_removed
            or self.targets_cleared
            or self.reports_cleared
            or self.assignments_removed
            or self.history_lines_rewritten
            or self.texts_scrubbed
        )


def erase_person(
    sessions: sessionmaker[Session],
    who: str,
    now: datetime,
    *,
    dry_run: bool,
    actor: str,
    hooks: Sequence[PersonalDataHook] = (),
) -> ErasurePlan:
    """Remove every trace of `who`, recorded as done by `actor`; `hooks` erase what each platform adapter keeps
    about them. Their own incidents go entirely; other people's incidents stay, without them. With `dry_run`, the
    same plan is computed and nothing is changed (the look at what would go is recorded)."""
    session = sessions()
    sqlite = session.get_bind().dialect.name == "sqlite"
    try:
        if sqlite and not dry_run:
            session.connection().exec_driver_sql("PRAGMA secure_delete=ON")  # freed bytes are zeroed, not left
        label_ = label(subject_for(session, who), who)
        plan = _erase(session, who, now, hooks)
        if plan.empty:
            raise UnknownPerson(f"nothing is stored about {who!r}")
        if dry_run:
            session.rollback()
            with sessions.begin() as audit:
                record(audit, now, actor, "erase-preview", label_, plan.summary())
        else:
            forget_subject(session, label_)
            record(session, now, actor, "erase", None, plan.summary())
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


def without_reporters_words(explanation: str) -> str:
    """A report's explanation with the reporter's reason taken out; the bot's own finding about the message stays."""
    if not explanation.startswith(REPORTED):
        return explanation
    _, found, bot = explanation.rpartition(BOT_ALSO_SEES)
    return WORDS_ERASED + (BOT_ALSO_SEES + bot if found else "")


def _erase(session: Session, who: str, now: datetime, hooks: Sequence[PersonalDataHook]) -> ErasurePlan:
    subject = subject_for(session, who)
    plan = ErasurePlan(who)
    for row in session.scalars(select(IncidentRow).where(authored(subject)).order_by(IncidentRow.id)).all():
        plan.incidents_deleted.append(row.id)
        session.delete(row)
    session.flush()
    queue_in(session, plan.incidents_deleted, now)  # their cards in reviewers' chats go too (the bot works it off)
    for row in session.scalars(select(IncidentRow).where(targeted(subject))).all():
        row.target_person_id = row.target_account = None
        plan.targets_cleared.append(row.id)
    for row in session.scalars(select(IncidentRow).where(IncidentRow.reported_by.in_(reporter_keys(subject)))):
        row.reported_by = None
        row.explanation = without_reporters_words(row.explanation)
        row.event_id = unlinked_key()  # the old key may be re-computable from the reporter's account
        row.updated_at = now
        plan.reports_cleared.append(row.id)
    plan.platform_state_removed = erase_platform_state(session, data_subject(subject), hooks)
    plan.link_rows_removed = erase_links(session, subject.person_id, subject.accounts)
    plan.reads_removed = erase_reads(session, subject.accounts)
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
            if not incident.reviewers and incident.status in OPEN_STATUSES:
                for leader in leaders:
                    incident.reviewers.append(ReviewerRow(person_id=leader, reason=LEADERSHIP))
                plan.reassigned_to_leadership.append(incident.id)
        for line in session.scalars(select(HistoryRow).where(acted_as(subject))).all():
            line.actor = ERASED if line.actor == pid else line.actor.removesuffix(pid) + ERASED
            plan.history_lines_rewritten += 1
        for other in session.scalars(
            select(PersonRow).where(or_(PersonRow.mentors.any(MentorRow.mentor_id == pid), PersonRow.manager_id == pid))
        ).all():
            other.mentors = [m for m in other.mentors if m.mentor_id != pid]
            other.manager_id = None if other.manager_id == pid else other.manager_id
            plan.relations_cleared += 1  # their incidents now go to leadership until the next roster import
        for link in session.scalars(select(DeskLinkRow).where(DeskLinkRow.person_id == pid)).all():
            session.delete(link)  # the review desk's sign-in links and sessions: signed out for good
            plan.platform_state_removed += 1
        for signed_in in session.scalars(select(DeskSessionRow).where(DeskSessionRow.person_id == pid)).all():
            session.delete(signed_in)
            plan.platform_state_removed += 1
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
