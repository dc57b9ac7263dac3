"""R6 called directly: someone else's data is held per room policy; one's own, or staff in their own rooms, is not."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.texts.nl import DUTCH
from moderation.model import (
    AccountId,
    ActionKind,
    Category,
    EventId,
    Message,
    Person,
    PersonId,
    Platform,
    Role,
    Room,
    RoomId,
    RoomKind,
    Severity,
    Verdict,
)
from moderation.policy import PersonalDataAction, RoomPolicy
from moderation.rules import PersonalData, RuleContext
from moderation.rules.may_post import may_post

JAN = Person(PersonId("jan"), "Jan de Vries", Role.STAFF)
SANNE = Person(PersonId("sanne"), "Sanne", Role.STUDENT, mentor=PersonId("jan"))


def judge(text: str, kind: RoomKind, author: Person | None = SANNE, **policy: object) -> Verdict | None:
    room = RoomPolicy(room=Room(Platform.CONSOLE, RoomId("r"), "klas-2b", kind), **policy)  # type: ignore[arg-type]
    message = Message(Platform.CONSOLE, RoomId("r"), EventId("e"), AccountId("acc"), text, datetime.now(UTC))
    context = RuleContext(
        policy=room, author=author, may_post=may_post(room, author), classification=None, notices=DUTCH.notices
    )
    return PersonalData().evaluate(message, context)


def test_a_classmates_number_in_a_class_room_is_held_with_a_notice_and_a_masked_excerpt() -> None:
    verdict = judge("hier is zijn nummer 06-12 34 56 78 spam hem maar", RoomKind.CLASS)
    assert verdict is not None
    assert (verdict.rule_id, verdict.category) == ("R6", Category.PERSONAL_DATA)
    assert verdict.actions == (ActionKind.DELETE, ActionKind.NOTIFY_SENDER)
    assert verdict.severity is Severity.HIGH  # shared about a person: doxxing
    assert verdict.excerpt == "hier is zijn nummer 06-•• •• •• 78 spam hem maar"
    assert verdict.notice is not None and "R6" in verdict.notice and "telefoonnummer" in verdict.notice
    assert "12 34" not in verdict.explanation


def test_an_address_shared_about_someone_in_a_student_room() -> None:
    verdict = judge("dit is waar hij woont: Kerkstraat 5, 2801 AB gouda", RoomKind.STUDENT_RUN)
    assert verdict is not None and verdict.severity is Severity.HIGH
    assert verdict.excerpt is not None and "Kerkstraat" not in verdict.excerpt and "2801" not in verdict.excerpt


def test_ones_own_number_is_not_an_incident_but_is_still_masked_if_stored() -> None:
    assert judge("app me ff op 0612345678", RoomKind.CLASS) is None
    assert judge("mijn nummer is 06 12345678", RoomKind.STUDENT_RUN) is None
    both = judge("mijn nummer is 0612345678 en zijn nummer is 0687654321", RoomKind.CLASS)
    assert both is not None and both.excerpt is not None
    assert "12345678" not in both.excerpt and "87654321" not in both.excerpt


def test_a_teacher_in_their_own_announcement_room_is_never_flagged() -> None:
    text = "Vragen over de excursie? Bel mij op 06-11223344 of mail j.devries@school.nl"
    assert judge(text, RoomKind.ANNOUNCEMENT, author=JAN) is None
    assert judge(text, RoomKind.STAFF_RUN, author=JAN) is None


def test_room_policy_decides_hold_flag_or_allow() -> None:
    text = "het adres is Prinsengracht 263, daar zat Anne Frank"
    assert judge(text, RoomKind.CLASS, personal_data=PersonalDataAction.ALLOW) is None  # a history lesson room
    flagged = judge("zijn mail is daan@hotmail.com", RoomKind.CLASS, personal_data=PersonalDataAction.FLAG)
    assert flagged is not None and flagged.actions == (ActionKind.FLAG,)
    assert judge("zijn mail is daan@hotmail.com", RoomKind.STAFF_RUN, author=SANNE) is not None


def test_no_data_no_verdict() -> None:
    assert judge("morgen toets hoofdstuk 4, lokaal 204 om 12.30", RoomKind.CLASS) is None
    assert judge("", RoomKind.CLASS) is None
