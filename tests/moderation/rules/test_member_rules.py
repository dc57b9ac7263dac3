"""R7 fictitious senders and R10 staff in student-run rooms, called directly on member changes."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.texts.nl import DUTCH
from moderation.classify.normalize import bundled_lookalikes
from moderation.model import (
    AccountId,
    ActionKind,
    Category,
    EventId,
    MemberChange,
    MemberChangeKind,
    Person,
    PersonId,
    Platform,
    Role,
    Room,
    RoomId,
    RoomKind,
    Verdict,
)
from moderation.policy import RoomPolicy
from moderation.rules import Impersonation, MemberContext, StaffInStudentRoom

JAN = Person(PersonId("jan"), "Jan de Vries", Role.STAFF, manager=PersonId("dir"))
DIR = Person(PersonId("dir"), "Petra Smit", Role.STAFF, is_leadership=True)
SANNE = Person(PersonId("sanne"), "Sanne Bakker", Role.STUDENT, mentor=PersonId("jan"))


def change(name: str, kind: MemberChangeKind = MemberChangeKind.RENAMED) -> MemberChange:
    return MemberChange(Platform.MATRIX, RoomId("!r"), EventId("$e"), AccountId("@x"), name, kind, datetime.now(UTC))


def context(member: Person | None, kind: RoomKind = RoomKind.CLASS, **policy: object) -> MemberContext:
    room = RoomPolicy(room=Room(Platform.MATRIX, RoomId("!r"), "klas-2b", kind), **policy)  # type: ignore[arg-type]
    return MemberContext(room, member, [JAN, DIR], ["Minkema College"], notices=DUTCH.notices)


def impersonation(name: str, member: Person | None) -> Verdict | None:
    return Impersonation(bundled_lookalikes()).evaluate(change(name), context(member))


def test_a_student_renamed_as_a_teacher_is_flagged() -> None:
    verdict = impersonation("Meneer de Vries", SANNE)
    assert verdict is not None
    assert (verdict.rule_id, verdict.category, verdict.actions) == ("R7", Category.IMPERSONATION, (ActionKind.FLAG,))
    assert "Jan de Vries" in verdict.explanation and "Sanne Bakker" in verdict.explanation
    assert impersonation("minkema college", None) is not None  # an unknown account posing as the school


def test_staff_under_their_own_name_and_students_under_theirs_are_never_flagged() -> None:
    assert impersonation("Jan de Vries", JAN) is None
    assert impersonation("Meneer de Vries", JAN) is None
    assert impersonation("Sanne Bakker", SANNE) is None
    assert impersonation("sanne 🌸", SANNE) is None


def test_staff_joining_a_student_run_room_is_for_their_manager_with_a_polite_note() -> None:
    rule = StaffInStudentRoom()
    joined = rule.evaluate(change("Jan de Vries", MemberChangeKind.JOINED), context(JAN, RoomKind.STUDENT_RUN))
    assert joined is not None
    assert (joined.rule_id, joined.category) == ("R10", Category.STAFF_IN_STUDENT_ROOM)
    assert ActionKind.NOTIFY_SENDER in joined.actions
    assert joined.notice is not None and "R10" in joined.notice and "klas-2b" in joined.notice
    present = rule.evaluate(change("Jan", MemberChangeKind.PRESENT), context(JAN, RoomKind.STUDENT_RUN))
    assert present is not None and "is in" in present.explanation


def test_class_rooms_exempt_rooms_students_and_renames_are_left_alone() -> None:
    rule = StaffInStudentRoom()
    joined = change("Jan de Vries", MemberChangeKind.JOINED)
    assert rule.evaluate(joined, context(JAN, RoomKind.CLASS)) is None  # a mentor's class room
    assert rule.evaluate(joined, context(JAN, RoomKind.STUDENT_RUN, staff_may_join=True)) is None
    assert rule.evaluate(joined, context(SANNE, RoomKind.STUDENT_RUN)) is None
    renamed = change("Jan de Vries", MemberChangeKind.RENAMED)
    assert rule.evaluate(renamed, context(JAN, RoomKind.STUDENT_RUN)) is None
