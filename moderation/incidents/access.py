"""Who may see and act on which incident — decided here and nowhere else (R12, R13, AVG).

- School leadership, and the command-line administrator acting for the school, see everything: the school keeps
  the final responsibility (escalations, suspected criminal offences, reports and unrouted incidents included).
- A mentor sees the incidents of their own students, and of those students' parents.
- A manager sees the incidents of their own staff. A staff member's incident never counts as a mentor's.
- The anti-bullying coordinator sees bullying incidents (insult, harassment, threat, discrimination) and
  repeated-targeting cases of students and parents; never a staff member's (R12: those are for their manager).
- Anyone an incident was explicitly assigned to (by routing, escalation or reassignment) sees that incident.
- Nobody but leadership sees their own incident, or who reported a message.
- Someone who may not see an incident gets the same answer whether it exists or not (`refusal`): the numbers
  of other people's incidents are not theirs to learn.

Every decision, allowed or refused, is meant to be written to the incident's history by the caller in the same
transaction (`note_access`), so the access log cannot drift from what was shown.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import ColumnElement, false, or_
from sqlalchemy.orm import Session

from moderation.incidents.model import Incident
from moderation.incidents.routing import COORDINATOR, MENTOR
from moderation.model import BULLYING_CATEGORIES, HistoryAction, Person, PersonId, Role
from moderation.ports import Directory
from moderation.rules.repeated_targeting import CASE_RULE_NAME
from moderation.storage.incidents import HistoryRow, IncidentRow, ReviewerRow


@dataclass(frozen=True, slots=True)
class Actor:
    """Someone reading or reviewing incidents: a person from the roster, or the command-line administrator."""

    key: str  # what the history records: a person id, or "cli:<os user>"
    person: Person | None = None
    admin: bool = False

    @classmethod
    def of(cls, person: Person) -> Actor:
        return cls(key=str(person.id), person=person)

    @classmethod
    def cli(cls, os_user: str) -> Actor:
        return cls(key=f"cli:{os_user}", admin=True)

    def on_cli(self, os_user: str) -> Actor:
        """This reviewer's rights, used by `os_user` on the command line: the history records who really acted."""
        return replace(self, key=f"cli:{os_user} as {self.key}")

    @property
    def label(self) -> str:
        if self.person is not None:
            return f"{self.person.name} ({self.person.id})"
        return self.key


def refusal(incident_id: int) -> str:
    """The one answer for "there is no such incident" and "not yours": both mean "not for you"."""
    return f"incident #{incident_id} does not exist or is not yours to review"


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reason: str  # "mentor of Sanne Bakker", "not your student, and not assigned to you", ...


def decide(actor: Actor, row: Incident, directory: Directory) -> Decision:
    """May `actor` see (and act on) this incident? Acting needs exactly the same right as seeing."""
    if actor.admin:
        return Decision(True, "administrator (acts for school leadership)")
    me = directory.person(actor.person.id) if actor.person is not None else None  # today's roles, not stale ones
    if me is None:
        return Decision(False, "not on the school's current roster")
    if row.author_person_id == me.id:
        return Decision(False, "this incident is about you; school leadership reviews it")
    if me.is_leadership:
        return Decision(True, "school leadership")
    author = directory.person(PersonId(row.author_person_id)) if row.author_person_id else None
    staff_author = author is not None and author.role is Role.STAFF
    if author is not None and not staff_author and me.id in author.mentors:
        who = "student" if author.role is Role.STUDENT else "student's parent"
        return Decision(True, f"mentor ({who} {author.name})")
    if author is not None and staff_author and author.manager == me.id:
        return Decision(True, f"manager of {author.name}")
    if (
        me.is_coordinator
        and not staff_author
        and (row.category in BULLYING_CATEGORIES or row.rule_name == CASE_RULE_NAME)
    ):
        return Decision(True, "anti-bullying coordinator")
    for assignment in row.reviewers:
        if assignment.person_id != me.id:
            continue
        if assignment.reason in (MENTOR, COORDINATOR) and staff_author:
            continue  # R12: a staff member's incident is for their manager, whatever the record says
        return Decision(True, f"assigned to you as {assignment.reason}")
    return Decision(False, "not about your students or staff, and not assigned to you")


def sees_reporter(actor: Actor, directory: Directory) -> bool:
    """The reporter of a message is known to school leadership only (R7: reports go to leadership)."""
    if actor.admin:
        return True
    me = directory.person(actor.person.id) if actor.person is not None else None
    return me is not None and me.is_leadership


def candidates(actor: Actor, directory: Directory) -> ColumnElement[bool]:
    """A SQL pre-filter that keeps every incident `decide` could allow (and some it will refuse). Callers still
    run `decide` on each row; this only keeps a mentor's list from scanning the whole school."""
    me = directory.person(actor.person.id) if actor.person is not None else None
    if actor.admin or (me is not None and me.is_leadership):
        return IncidentRow.id.is_not(None)
    if me is None:
        return false()
    related = [
        p.id
        for p in _people(directory)
        if (p.role is not Role.STAFF and me.id in p.mentors) or (p.role is Role.STAFF and p.manager == me.id)
    ]
    clauses: list[ColumnElement[bool]] = [IncidentRow.reviewers.any(ReviewerRow.person_id == me.id)]
    if related:
        clauses.append(IncidentRow.author_person_id.in_(related))
    if me.is_coordinator:
        clauses.append(IncidentRow.category.in_(sorted(c.value for c in BULLYING_CATEGORIES)))
        clauses.append(IncidentRow.rule_name == CASE_RULE_NAME)
    return or_(*clauses)


def _people(directory: Directory) -> list[Person]:
    people = getattr(directory, "people", None)  # RosterDirectory has it; the Directory port does not promise it
    if callable(people):
        return list(people())
    return list(directory.staff())


def note_access(
    session: Session, row: IncidentRow | Incident, actor: Actor, action: HistoryAction, detail: str, now: datetime
) -> None:
    """Append one line to the incident's history: who, when, what (reads, changes and refusals alike)."""
    session.add(HistoryRow(incident_id=row.id, at=now, actor=actor.key, action=action.value, detail=detail))
