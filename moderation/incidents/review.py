"""The review workflow (R12, R13): acknowledge, resolve with a note, dismiss, escalate — for every front end.

Adapters, the console and the CLI call these methods with an `Actor` and show `ReviewResult.message`. Each call is
one transaction: the access decision (access.py), the change, and the history line commit together. Every call is
idempotent: repeating it answers "unchanged" and changes nothing.

Every change is a compare-and-set in the database (`UPDATE incidents … WHERE status = <as read> AND escalation =
<as read>`, then the row count): of two reviewers, bot and CLI, or two processes changing one incident at once,
exactly one succeeds; the other's call is answered again from the incident as it now is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from moderation.incidents.access import Actor, candidates, decide, note_access, refusal, sees_reporter
from moderation.incidents.cards import Card, card_from_row
from moderation.incidents.model import incident_of
from moderation.incidents.routing import COORDINATOR, LEADERSHIP
from moderation.model import CLOSED_STATUSES, AccountId, HistoryAction, IncidentStatus, PersonId, Platform, Role
from moderation.ports import Clock, Directory
from moderation.storage.incidents import HistoryRow, IncidentRow, ReviewerRow
from moderation.storage.people import PersonRow

CAS_ATTEMPTS = 3  # a lost compare-and-set is read and decided again this often
NOTE_MAX = 2000
ESCALATIONS = ("coordinator", "leadership", "police")  # in rising order
_ESCALATION_WORDS = {
    "coordinator": "coordinator",
    "abc": "coordinator",
    "anti-pest": "coordinator",
    "pest": "coordinator",
    "leadership": "leadership",
    "schoolleiding": "leadership",
    "board": "leadership",
    "directie": "leadership",
    "police": "police",
    "politie": "police",
    "criminal": "police",
    "strafbaar": "police",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class Result(StrEnum):
    DONE = "done"
    UNCHANGED = "unchanged"  # asked twice: nothing changed the second time
    NOT_FOUND = "not-found"
    FORBIDDEN = "forbidden"
    INVALID = "invalid"  # missing or wrong arguments, or not possible in the incident's state


@dataclass(frozen=True, slots=True)
class HistoryLine:
    at: datetime
    actor: str
    action: str
    detail: str


@dataclass(frozen=True, slots=True)
class ReviewResult:
    result: Result
    message: str  # one sentence for the reviewer, ready to show
    card: Card | None = None
    history: tuple[HistoryLine, ...] = ()  # only from `show(..., with_history=True)`
    added: tuple[PersonId, ...] = ()  # reviewers this change added (an escalation): their cards must follow

    @property
    def ok(self) -> bool:
        return self.result in (Result.DONE, Result.UNCHANGED)


def parse_escalation(word: str) -> str | None:
    return _ESCALATION_WORDS.get(word.strip().lower())


def clean_note(text: str) -> str:
    clean = _CONTROL.sub("", text).strip()
    return clean if len(clean) <= NOTE_MAX else clean[: NOTE_MAX - 1] + "…"


class ReviewService:
    def __init__(self, sessions: sessionmaker[Session], directory: Callable[[], Directory], clock: Clock) -> None:
        self._sessions = sessions
        self._directory = directory  # a callable: the roster is swapped after every import
        self._clock = clock

    # -- who is asking ----------------------------------------------------------------------------------------

    def actor_for(self, platform: Platform, account: AccountId) -> Actor | None:
        person = self._directory().person_for(platform, account)
        return Actor.of(person) if person is not None else None

    def actor_by_id(self, person_id: str) -> Actor | None:
        person = self._directory().person(PersonId(person_id))
        return Actor.of(person) if person is not None else None

    # -- reading ----------------------------------------------------------------------------------------------

    def show(self, incident_id: int, actor: Actor, *, with_history: bool = False) -> ReviewResult:
        result = self._run(incident_id, actor, HistoryAction.VIEWED, lambda _row: (Result.DONE, "shown"))
        if not with_history or result.result is not Result.DONE:
            return result
        with self._sessions() as session:
            lines = session.scalars(
                select(HistoryRow).where(HistoryRow.incident_id == incident_id).order_by(HistoryRow.id)
            ).all()
            history = tuple(HistoryLine(h.at, h.actor, h.action, h.detail) for h in lines)
        return ReviewResult(result.result, result.message, result.card, history)

    def list_for(
        self,
        actor: Actor,
        *,
        status: IncidentStatus | None = None,
        room: str | None = None,
        reviewer: str | None = None,
        limit: int = 200,
    ) -> list[Card]:
        """The incidents `actor` may see, oldest first; each one shown is recorded as read ("listed")."""
        directory = self._directory()
        query = select(IncidentRow).options(selectinload(IncidentRow.reviewers)).order_by(IncidentRow.id)
        query = query.where(candidates(actor, directory))
        if status is not None:
            query = query.where(IncidentRow.status == status)
        if room is not None:
            query = query.where((IncidentRow.room_id == room) | (IncidentRow.room_name == room))
        if reviewer is not None:
            query = query.where(IncidentRow.reviewers.any(ReviewerRow.person_id == reviewer))
        now = self._clock.now()
        cards: list[Card] = []
        with self._sessions.begin() as session:
            for row in session.scalars(query.execution_options(yield_per=500)):  # stop reading at `limit`
                if len(cards) >= limit:
                    break
                if not decide(actor, incident_of(row), directory).allowed:
                    continue
                note_access(session, row, actor, HistoryAction.LISTED, "", now)
                cards.append(self._card(row, actor))
        return cards

    # -- changing ---------------------------------------------------------------------------------------------

    def acknowledge(self, incident_id: int, actor: Actor) -> ReviewResult:
        def change(row: IncidentRow) -> tuple[Result, str]:
            if row.status == IncidentStatus.IN_REVIEW:
                return Result.UNCHANGED, f"incident #{row.id} is already in review"
            if row.status in CLOSED_STATUSES:
                return Result.INVALID, f"incident #{row.id} is already {row.status}"
            row.status = IncidentStatus.IN_REVIEW.value
            return Result.DONE, f"incident #{row.id} is now in review"

        return self._run(incident_id, actor, HistoryAction.ACKNOWLEDGED, change)

    def resolve(
        self,
        incident_id: int,
        actor: Actor,
        note: str,
        *,
        measure: str | None = None,
        parents_informed: bool | None = None,
    ) -> ReviewResult:
        note = clean_note(note)
        measure = clean_note(measure)[:200] if measure else None
        if not note:
            return ReviewResult(Result.INVALID, "a note is needed: what was done (e.g. 'conversation held')")

        def change(row: IncidentRow) -> tuple[Result, str]:
            if row.status == IncidentStatus.RESOLVED:
                return Result.UNCHANGED, f"incident #{row.id} was already resolved; nothing changed"
            if row.status == IncidentStatus.DISMISSED:
                return Result.INVALID, f"incident #{row.id} was dismissed as a false positive; it cannot be resolved"
            author = self._directory().person(PersonId(row.author_person_id)) if row.author_person_id else None
            if measure and parents_informed is None and (author is None or author.role is not Role.STAFF):
                return Result.INVALID, (
                    "R13: when a measure is taken the parents are always contacted; "
                    "say whether they were informed (parents: yes|no)"
                )
            row.status, row.resolution_note, row.measure = IncidentStatus.RESOLVED.value, note, measure
            row.parents_informed, row.closed_at = parents_informed, self._clock.now()
            return Result.DONE, f"incident #{row.id} resolved"

        detail = note + (f" | measure: {measure}" if measure else "")
        if parents_informed is not None:
            detail += " | parents informed: " + ("yes" if parents_informed else "no")
        return self._run(incident_id, actor, HistoryAction.RESOLVED, change, detail=detail)

    def dismiss(self, incident_id: int, actor: Actor, note: str = "") -> ReviewResult:
        note = clean_note(note) or "false positive"

        def change(row: IncidentRow) -> tuple[Result, str]:
            if row.status == IncidentStatus.DISMISSED:
                return Result.UNCHANGED, f"incident #{row.id} was already dismissed; nothing changed"
            if row.status == IncidentStatus.RESOLVED:
                return Result.INVALID, f"incident #{row.id} was already resolved; it cannot be dismissed"
            row.status, row.resolution_note, row.closed_at = IncidentStatus.DISMISSED.value, note, self._clock.now()
            return Result.DONE, f"incident #{row.id} dismissed as a false positive"

        return self._run(incident_id, actor, HistoryAction.DISMISSED, change, detail=note)

    def escalate(self, incident_id: int, actor: Actor, to: str, note: str = "") -> ReviewResult:
        level = parse_escalation(to)
        if level is None:
            return ReviewResult(Result.INVALID, "escalate to what? say coordinator, leadership or police")
        note = clean_note(note)
        added: list[PersonId] = []

        def change(row: IncidentRow) -> tuple[Result, str]:
            added.clear()  # decided again after a lost compare-and-set
            if row.status in CLOSED_STATUSES:
                return Result.INVALID, f"incident #{row.id} is already {row.status}; it cannot be escalated"
            if row.escalation and ESCALATIONS.index(row.escalation) >= ESCALATIONS.index(level):
                return Result.UNCHANGED, f"incident #{row.id} was already escalated to {row.escalation}"
            directory = self._directory()
            people = directory.coordinators() if level == "coordinator" else directory.leadership()
            reason = COORDINATOR if level == "coordinator" else LEADERSHIP
            author = directory.person(PersonId(row.author_person_id)) if row.author_person_id else None
            if level == "coordinator" and (not people or (author is not None and author.role is Role.STAFF)):
                # no coordinator on the roster, or a staff member's case (R12: never the coordinator's)
                people, reason = directory.leadership(), LEADERSHIP
            added.extend(p.id for p in people if _assign(row, p.id, reason))
            row.escalation = level
            if level == "police":
                row.criminal = True
            if not people:
                return Result.DONE, f"incident #{row.id} escalated to {level}, but nobody on the roster has that role"
            names = [p.name for p in people if p.id in added]
            extra = f" (now also visible to {', '.join(names)})" if names else ""
            return Result.DONE, f"incident #{row.id} escalated to {level}{extra}"

        result = self._run(incident_id, actor, HistoryAction.escalated(level), change, detail=note)
        return replace(result, added=tuple(added)) if result.result is Result.DONE else result

    def reassign_departed(self) -> int:
        """Open incidents of reviewers who left the school (inactive after a roster import) go to leadership.
        Returns how many incidents were reassigned."""
        now = self._clock.now()
        leaders = self._directory().leadership()
        if not leaders:
            return 0  # nobody to hand them to: the incidents keep the reviewers they have until leadership is back
        moved = 0
        with self._sessions.begin() as session:
            gone = select(PersonRow.id).where(PersonRow.active.is_(False))
            rows = session.scalars(
                select(IncidentRow)
                .options(selectinload(IncidentRow.reviewers))
                .where(IncidentRow.status.not_in([s.value for s in CLOSED_STATUSES]))
                .where(IncidentRow.reviewers.any(ReviewerRow.person_id.in_(gone)))
            ).all()
            departed = set(session.scalars(gone))
            for row in rows:
                left = [r for r in row.reviewers if r.person_id in departed]
                for reviewer in left:
                    row.reviewers.remove(reviewer)
                for leader in leaders:
                    _assign(row, leader.id, LEADERSHIP)
                names = ", ".join(f"{r.person_id} ({r.reason})" for r in left)
                note_access(
                    session, row, Actor(key="system"), HistoryAction.REASSIGNED, f"{names} left the school", now
                )
                row.updated_at = now
                moved += 1
        return moved

    # -- the one path every call takes ------------------------------------------------------------------------

    def _run(
        self,
        incident_id: int,
        actor: Actor,
        action: HistoryAction,
        change: Callable[[IncidentRow], tuple[Result, str]],
        *,
        detail: str = "",
    ) -> ReviewResult:
        if not 0 < incident_id < 2**31:  # beyond any id the database hands out (and beyond its integer type)
            return _not_found(incident_id, actor)
        for attempt in range(CAS_ATTEMPTS):
            try:
                answer = self._try(incident_id, actor, action, change, detail)
            except _LostRace:
                continue  # someone else changed the incident between our read and our write: decide again
            if attempt and answer.result is not Result.DONE:
                message = f"{answer.message} (someone else changed incident #{incident_id} at the same moment)"
                return ReviewResult(answer.result, message, answer.card, answer.history)
            return answer
        return ReviewResult(Result.INVALID, f"incident #{incident_id} keeps being changed by others; try again")

    def _try(
        self,
        incident_id: int,
        actor: Actor,
        action: HistoryAction,
        change: Callable[[IncidentRow], tuple[Result, str]],
        detail: str,
    ) -> ReviewResult:
        """One read-decide-write; raises _LostRace when the compare-and-set lost (then nothing was written)."""
        now = self._clock.now()
        directory = self._directory()
        with self._sessions() as session, session.begin():
            row = session.get(IncidentRow, incident_id, options=[selectinload(IncidentRow.reviewers)])
            if row is None:
                return _not_found(incident_id, actor)
            decision = decide(actor, incident_of(row), directory)
            if not decision.allowed:
                note_access(session, row, actor, HistoryAction.REFUSED, f"{action}: {decision.reason}", now)
                return ReviewResult(Result.FORBIDDEN, refusal(incident_id))
            expected_status, expected_escalation = row.status, row.escalation
            with session.no_autoflush:
                result, message = change(row)
                if result is Result.DONE:
                    escalation = IncidentRow.escalation
                    same_escalation = (
                        escalation.is_(None) if expected_escalation is None else escalation == expected_escalation
                    )
                    claimed = cast(
                        CursorResult[Any],
                        session.execute(
                            update(IncidentRow)
                            .where(
                                IncidentRow.id == incident_id, IncidentRow.status == expected_status, same_escalation
                            )
                            .values(status=row.status, escalation=row.escalation, updated_at=now)
                            .execution_options(synchronize_session=False)
                        ),
                    ).rowcount
                    if claimed != 1:
                        raise _LostRace
            if result is Result.DONE:
                row.updated_at = now
                note_access(session, row, actor, action, detail, now)
            else:
                note_access(session, row, actor, HistoryAction.VIEWED, f"{action}: {result.value}", now)
            session.flush()
            return ReviewResult(result, message, self._card(row, actor))

    def _card(self, row: IncidentRow, actor: Actor) -> Card:
        directory = self._directory()

        def name_of(pid: PersonId) -> str:
            person = directory.person(pid)
            return person.name if person is not None else str(pid)

        return card_from_row(incident_of(row), name_of, show_reporter=sees_reporter(actor, directory))


class _LostRace(Exception):
    """The compare-and-set found the incident changed since it was read; the transaction is rolled back."""


def _not_found(incident_id: int, actor: Actor) -> ReviewResult:
    """The administrator sees every incident, so may learn which exist; anyone else reads the refusal (the result
    code still tells a front end that a card it shows is stale)."""
    return ReviewResult(
        Result.NOT_FOUND, f"there is no incident #{incident_id}" if actor.admin else refusal(incident_id)
    )


def _assign(row: IncidentRow, person_id: str, reason: str) -> bool:
    """Add a reviewer unless already there (or the incident's own author); True when added."""
    if person_id == row.author_person_id or any(r.person_id == person_id for r in row.reviewers):
        return False
    row.reviewers.append(ReviewerRow(person_id=person_id, reason=reason))
    return True
