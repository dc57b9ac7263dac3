"""Routing, case by case (R12, R13): who reviews an incident."""

from __future__ import annotations

from moderation.directory import RosterDirectory
from moderation.incidents.routing import route
from moderation.model import Category, Person, PersonId, Role, Severity, Verdict

DIR = Person(PersonId("dir"), "Directeur", Role.STAFF, is_leadership=True)
DIR2 = Person(PersonId("dir2"), "Adjunct", Role.STAFF, is_leadership=True)
ABC = Person(PersonId("abc"), "Coordinator", Role.STAFF, manager=PersonId("dir"), is_coordinator=True)
JAN = Person(PersonId("jan"), "Mentor Jan", Role.STAFF, manager=PersonId("dir"))
EVA = Person(PersonId("eva"), "Teacher Eva", Role.STAFF, manager=PersonId("jan"))
BOSSLESS = Person(PersonId("solo"), "No manager", Role.STAFF)
SANNE = Person(PersonId("sanne"), "Sanne", Role.STUDENT, class_name="2B", mentor=PersonId("jan"))
ORPHAN = Person(PersonId("orphan"), "No mentor", Role.STUDENT, mentor=PersonId("gone"))
PARENT = Person(PersonId("p1"), "Parent", Role.PARENT, mentor=PersonId("jan"))
DIRECTORY = RosterDirectory([DIR, DIR2, ABC, JAN, EVA, BOSSLESS, SANNE, ORPHAN, PARENT])


def verdict(category: Category, criminal: bool = False) -> Verdict:
    return Verdict("R2", "test", category, Severity.MEDIUM, 0.9, "x", criminal=criminal)


def reviewers(author: Person | None, category: Category, criminal: bool = False) -> dict[str, str]:
    return {r.person_id: r.reason for r in route(author, verdict(category, criminal), DIRECTORY)}


def test_student_goes_to_own_mentor() -> None:
    assert reviewers(SANNE, Category.SEXUAL) == {"jan": "mentor"}


def test_student_bullying_also_goes_to_the_coordinator() -> None:
    for category in (Category.INSULT, Category.HARASSMENT, Category.THREAT, Category.DISCRIMINATION):
        assert reviewers(SANNE, category) == {"jan": "mentor", "abc": "coordinator"}


def test_staff_goes_to_manager_never_to_a_mentor_or_coordinator() -> None:
    assert reviewers(EVA, Category.INSULT) == {"jan": "manager"}
    assert "jan" not in {r for r, why in reviewers(EVA, Category.INSULT).items() if why == "mentor"}


def test_staff_without_manager_goes_to_leadership() -> None:
    assert reviewers(BOSSLESS, Category.INSULT) == {"dir": "leadership", "dir2": "leadership"}


def test_unknown_author_goes_to_leadership() -> None:
    assert reviewers(None, Category.INSULT) == {"dir": "leadership", "dir2": "leadership"}


def test_possible_criminal_offence_adds_leadership() -> None:
    assert reviewers(SANNE, Category.THREAT, criminal=True) == {
        "jan": "mentor",
        "abc": "coordinator",
        "dir": "leadership",
        "dir2": "leadership",
    }


def test_parent_goes_to_the_childs_mentor() -> None:
    assert reviewers(PARENT, Category.SEXUAL) == {"jan": "mentor"}


def test_student_whose_mentor_is_missing_goes_to_leadership() -> None:
    assert reviewers(ORPHAN, Category.SEXUAL) == {"dir": "leadership", "dir2": "leadership"}


def test_leader_is_never_their_own_reviewer() -> None:
    assert reviewers(DIR, Category.INSULT) == {"dir2": "leadership"}


def test_reports_and_permission_drift_reach_leadership() -> None:
    assert reviewers(SANNE, Category.REPORTED) == {"jan": "mentor", "dir": "leadership", "dir2": "leadership"}
    assert reviewers(JAN, Category.PERMISSION_DRIFT) == {"dir": "leadership", "dir2": "leadership"}
