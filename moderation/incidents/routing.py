"""Who reviews an incident (R12, R13): the student's mentor, the anti-bullying coordinator, a staff member's
manager, or school leadership. A pure function of the author, the verdict and the directory."""

from __future__ import annotations

from moderation.model import CATEGORIES, Leadership, Person, PersonId, Role, Verdict
from moderation.ports import Directory, ReviewerAssignment

MENTOR = "mentor"
COORDINATOR = "coordinator"
MANAGER = "manager"
LEADERSHIP = "leadership"


def route(author: Person | None, verdict: Verdict, directory: Directory) -> tuple[ReviewerAssignment, ...]:
    if not verdict.for_review:
        return ()  # e.g. a quiet-hours notice: recorded, and nobody needs to look at it
    picked: dict[PersonId, str] = {}

    def add(person: Person | None, reason: str) -> bool:
        """Assign a reviewer; False when there is nobody to assign (or only the author themself)."""
        if person is None or (author is not None and person.id == author.id):
            return False
        picked.setdefault(person.id, reason)
        return True

    def add_leadership() -> None:
        for leader in directory.leadership():
            add(leader, LEADERSHIP)

    meaning = CATEGORIES[verdict.category]
    if meaning.leadership is Leadership.ONLY:
        add_leadership()
        return _assignments(picked)

    if author is None:
        add_leadership()  # an unknown author: nobody else is responsible for them
    elif author.role is Role.STAFF:
        # R12: a staff member's conduct goes to their direct manager, never to a student's mentor.
        manager = directory.person(author.manager) if author.manager else None
        if not add(manager, MANAGER):
            add_leadership()
    else:
        # R13: students, and parents (whose mentors are their child's), go to every one of their mentors first.
        reached = [add(directory.person(mentor), MENTOR) for mentor in author.mentors]
        if not any(reached):
            add_leadership()
        if meaning.bullying:
            for coordinator in directory.coordinators():
                add(coordinator, COORDINATOR)

    if verdict.criminal or meaning.leadership is not Leadership.NO:
        add_leadership()  # R7/R12/R13: reports and possible offences reach school leadership
    return _assignments(picked)


def _assignments(picked: dict[PersonId, str]) -> tuple[ReviewerAssignment, ...]:
    return tuple(ReviewerAssignment(person_id=pid, reason=reason) for pid, reason in picked.items())
