"""The desk's one coupling to the review core: who is signed in, what they may read, and the review actions.

Everything the pages do goes through here, so that the desk stays one more front end of the same access rules
(access.py) and the same review service (review.py), never a second copy of them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from moderation.announcements.staff import StaffAnnouncements
from moderation.incidents.access import Actor
from moderation.incidents.desk_login import DeskLogins, may_use_desk
from moderation.incidents.desk_queries import Overview, QueueFilter, QueueItem, overview, queue, student_timeline
from moderation.incidents.review import Result, ReviewResult, ReviewService
from moderation.model import AccountId, Person, PersonId, Platform
from moderation.ports import Clock, Directory, PersonalDataHook
from moderation.privacy import ErasurePlan, erase_person, export_person
from moderation.privacy.lookup import find_people, record_refusal, unfinished
from moderation.storage.incidents import IncidentRow, OutboxRow
from moderation.texts.desk import DeskWords

DESK = "desk as "  # history lines of the desk read "desk as <person id>": who, and on which front end


@dataclass(frozen=True, slots=True)
class Reviewer:
    person: Person
    actor: Actor  # the history records this actor: the person, on the desk
    leadership: bool
    privacy_officer: bool = False
    reviews: bool = True  # False: signed in only to post announcements (a poster of announcement rooms)
    announces: bool = False  # may post in at least one class announcement room (the Mededelingen page)


class NotThePrivacyOfficer(PermissionError):
    """A privacy request by someone else than the privacy officer (it is on record)."""


class DeskBackend:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        directory: Callable[[], Directory],
        clock: Clock,
        review: ReviewService,
        logins: DeskLogins,
        words: DeskWords,
        changed: Callable[[int, ReviewResult], Awaitable[None]] | None = None,
        privacy_hooks: Sequence[PersonalDataHook] = (),
        roster_changed: Callable[[], None] | None = None,
        announcements: StaffAnnouncements | None = None,
    ) -> None:
        self._sessions = sessions
        self._directory = directory
        self._clock = clock
        self.review = review
        self.logins = logins
        self._words = words  # the access log's note on what the desk listed, in the school's language
        # After a change on the desk: bring every copy of the incident's card in chat up to date (the composition
        # root connects the card ledger here).
        self._changed = changed
        self._privacy_hooks = tuple(privacy_hooks)  # what each platform keeps about a person (export, erase)
        self._roster_changed = roster_changed  # after an erasure: the roster of the moment is read again
        # The teachers' announcements (the same service as `!mededeling` in chat); None where there is none.
        self.announcements = announcements

    # -- who -------------------------------------------------------------------------------------------------

    def reviewer(self, person_id: str) -> Reviewer | None:
        """The signed-in person as a reviewer, by today's roster; None when they are no longer one."""
        directory = self._directory()
        person = directory.person(PersonId(person_id))
        if person is None:
            return None
        reviews = may_use_desk(person, directory)
        announces = self.announcements is not None and bool(self.announcements.composer.postable(person))
        if not reviews and not announces:
            return None
        actor = replace(Actor.of(person), key=f"{DESK}{person.id}")
        return Reviewer(person, actor, person.is_leadership, person.is_privacy_officer, reviews, announces)

    def link_for(self, person_id: str) -> str | None:
        """A one-time sign-in token for a reviewer (or a poster of announcement rooms) on the roster; None for
        anyone else."""
        if self.reviewer(person_id) is None:
            return None
        return self.logins.issue_link(person_id)

    def name_of(self, person_id: str) -> str:
        person = self._directory().person(PersonId(person_id))
        return person.name if person is not None else person_id

    def student(self, person_id: str) -> Person | None:
        return self._directory().person(PersonId(person_id))

    # -- reading ---------------------------------------------------------------------------------------------

    def queue(self, who: Reviewer, wanted: QueueFilter) -> list[QueueItem]:
        note = self._words.listed_on_desk
        return queue(self._sessions, self._directory(), who.actor, wanted, self._clock.now(), note)

    def timeline(self, who: Reviewer, student_id: str) -> list[QueueItem]:
        return student_timeline(
            self._sessions, self._directory(), who.actor, student_id, self._clock.now(), self._words.listed_in_timeline
        )

    def incident(self, who: Reviewer, incident_id: int) -> ReviewResult:
        return self.review.show(incident_id, who.actor, with_history=True)

    def overview(self, since: datetime | None = None) -> Overview:
        return overview(self._sessions, since)

    # -- acting ----------------------------------------------------------------------------------------------

    def acknowledge(self, who: Reviewer, incident_id: int) -> ReviewResult:
        return self.review.acknowledge(incident_id, who.actor)

    def resolve(
        self, who: Reviewer, incident_id: int, note: str, measure: str | None, parents: bool | None
    ) -> ReviewResult:
        return self.review.resolve(incident_id, who.actor, note, measure=measure, parents_informed=parents)

    def dismiss(self, who: Reviewer, incident_id: int, note: str) -> ReviewResult:
        return self.review.dismiss(incident_id, who.actor, note)

    def escalate(self, who: Reviewer, incident_id: int, to: str, note: str) -> ReviewResult:
        return self.review.escalate(incident_id, who.actor, to, note)

    async def after_change(self, incident_id: int, result: ReviewResult) -> None:
        if self._changed is not None and result.result is Result.DONE:
            await self._changed(incident_id, result)

    # -- privacy (AVG), for the privacy officer only; every request is in the privacy log ----------------------

    def _officer(self, who: Reviewer) -> str:
        if not who.privacy_officer:
            self.privacy_refused(who)
            raise NotThePrivacyOfficer(who.actor.key)
        return who.actor.key

    def subject_name(self, subject: str) -> str:
        """Whom a request names, by roster id or by one of their accounts (`matrix:@x:school.nl`)."""
        platform, sep, account = subject.partition(":")
        directory = self._directory()
        if sep and platform in {p.value for p in Platform}:
            person = directory.person_for(Platform(platform), AccountId(account))
        else:
            person = directory.person(PersonId(subject))
        return person.name if person is not None else subject

    def privacy_refused(self, who: Reviewer) -> None:
        record_refusal(self._sessions, self._clock.now(), who.actor.key)

    def privacy_search(self, who: Reviewer, text: str) -> list[tuple[str, str, str, str | None, bool]]:
        actor = self._officer(who)
        return find_people(self._sessions, text, self._clock.now(), actor=actor)

    def privacy_export(self, who: Reviewer, subject: str) -> dict[str, Any]:
        """Everything stored about `subject`, as `schoolwacht privacy export` gives it (UnknownPerson: nothing)."""
        actor = self._officer(who)
        return export_person(self._sessions, subject, self._clock.now(), actor=actor, hooks=self._privacy_hooks)

    def privacy_plan(self, who: Reviewer, subject: str) -> tuple[ErasurePlan, list[tuple[int, str]]]:
        """The dry run: what an erasure would remove, and the unfinished incidents it would delete."""
        actor = self._officer(who)
        now = self._clock.now()
        plan = erase_person(self._sessions, subject, now, dry_run=True, actor=actor, hooks=self._privacy_hooks)
        return plan, unfinished(self._sessions, plan.incidents_deleted)

    def privacy_erase(self, who: Reviewer, subject: str) -> ErasurePlan:
        actor = self._officer(who)
        now = self._clock.now()
        plan = erase_person(self._sessions, subject, now, dry_run=False, actor=actor, hooks=self._privacy_hooks)
        if self._roster_changed is not None:
            self._roster_changed()
        return plan

    # -- operations ------------------------------------------------------------------------------------------

    def database_ok(self) -> bool:
        try:
            with self._sessions() as session:
                session.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    def gauges(self) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
        """Incidents by status, and outbox actions by (platform, status)."""
        with self._sessions() as session:
            incidents = session.execute(select(IncidentRow.status, func.count()).group_by(IncidentRow.status))
            by_status = {str(s): int(n) for s, n in incidents}
            outbox = session.execute(
                select(OutboxRow.platform, OutboxRow.status, func.count()).group_by(
                    OutboxRow.platform, OutboxRow.status
                )
            )
            actions = {(str(p), str(s)): int(n) for p, s, n in outbox}
        return by_status, actions
