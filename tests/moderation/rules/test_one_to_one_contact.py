"""R9 called directly: exactly one staff member and one student, unless excepted for education."""

from __future__ import annotations

from datetime import UTC, datetime

from moderation.model import AccountId, Category, Person, PersonId, Platform, PrivateRoom, Role, RoomId
from moderation.rules import OneToOneContact, RoomContext

JAN = Person(PersonId("jan"), "Jan de Vries", Role.STAFF)
EVA = Person(PersonId("eva"), "Eva Visser", Role.STAFF)
SANNE = Person(PersonId("sanne"), "Sanne", Role.STUDENT)
DAAN = Person(PersonId("daan"), "Daan", Role.STUDENT)
PARENT = Person(PersonId("p"), "Ouder", Role.PARENT)


def judge(*people: Person | None, exceptions: frozenset[str] = frozenset(), room: str = "!r") -> Category | None:
    members = tuple(AccountId(f"@{p.id if p else 'x'}") for p in people)
    verdict = OneToOneContact().evaluate(
        PrivateRoom(Platform.MATRIX, RoomId(room), members, datetime.now(UTC)), RoomContext(people, exceptions)
    )
    return verdict.category if verdict else None


def test_one_staff_member_and_one_student() -> None:
    assert judge(JAN, SANNE) is Category.ONE_TO_ONE
    assert judge(SANNE, JAN) is Category.ONE_TO_ONE


def test_other_pairs_and_groups_are_not_r9() -> None:
    assert judge(JAN, EVA) is None
    assert judge(SANNE, DAAN) is None
    assert judge(JAN, PARENT) is None
    assert judge(JAN, None) is None  # someone outside the roster: nothing to say about them
    assert judge(JAN, SANNE, DAAN) is None


def test_exceptions_for_education_by_pair_or_room() -> None:
    assert judge(JAN, SANNE, exceptions=frozenset({"jan/sanne"})) is None
    assert judge(JAN, SANNE, exceptions=frozenset({"!r"})) is None
    assert judge(JAN, SANNE, exceptions=frozenset({"eva/sanne"})) is Category.ONE_TO_ONE
