"""R10 called directly: who may post in an announcement room, and what a removed student is told."""

from __future__ import annotations

from dataclasses import replace
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
    Verdict,
)
from moderation.policy import RoomPolicy
from moderation.rules import AnnouncementOnly, RuleContext
from moderation.rules.may_post import may_post

JAN = Person(PersonId("jan"), "Jan", Role.STAFF)
SANNE = Person(PersonId("sanne"), "Sanne", Role.STUDENT, mentor=PersonId("jan"))
PARENT = Person(PersonId("p1"), "Ouder", Role.PARENT)


def policy(kind: RoomKind, *, posters: frozenset[PersonId] = frozenset(), staff: bool = True) -> RoomPolicy:
    return RoomPolicy(
        room=Room(Platform.CONSOLE, RoomId("r"), "mededelingen-2b", kind), posters=posters, staff_may_post=staff
    )


def judge(author: Person | None, room: RoomPolicy, *, open_reaction: bool = False) -> Verdict | None:
    message = Message(
        Platform.CONSOLE, RoomId("r"), EventId("e"), AccountId("acc-9"), "het 3e uur vervalt", datetime.now(UTC)
    )
    message = replace(message, open_reaction=open_reaction)
    context = RuleContext(
        policy=room, author=author, may_post=may_post(room, author), classification=None, notices=DUTCH.notices
    )
    return AnnouncementOnly().evaluate(message, context)


def test_staff_and_listed_posters_may_post_others_may_not() -> None:
    room = policy(RoomKind.ANNOUNCEMENT, posters=frozenset({PersonId("sanne")}), staff=False)
    assert may_post(room, SANNE)  # a listed student (e.g. the student council) may post
    assert not may_post(room, JAN)  # staff not listed, and staff_may_post is off
    assert may_post(policy(RoomKind.ANNOUNCEMENT), JAN)
    assert not may_post(policy(RoomKind.ANNOUNCEMENT), PARENT)
    assert not may_post(policy(RoomKind.ANNOUNCEMENT), None)  # an account not in the roster


def test_outside_announcement_rooms_the_rule_is_silent() -> None:
    for kind in (RoomKind.CLASS, RoomKind.STUDENT_RUN, RoomKind.STAFF_RUN):
        assert judge(SANNE, policy(kind)) is None
    assert judge(JAN, policy(RoomKind.ANNOUNCEMENT)) is None


def test_a_student_post_is_deleted_with_a_dutch_notice() -> None:
    verdict = judge(SANNE, policy(RoomKind.ANNOUNCEMENT))
    assert verdict is not None
    assert verdict.rule_id == "R10" and verdict.category is Category.ANNOUNCEMENT_ONLY
    assert verdict.actions == (ActionKind.DELETE, ActionKind.NOTIFY_SENDER)
    assert "Sanne posted in announcement room #mededelingen-2b" in verdict.explanation
    assert verdict.notice is not None and "#mededelingen-2b" in verdict.notice and "R10" in verdict.notice


def test_an_unknown_account_is_named_by_its_id() -> None:
    verdict = judge(None, policy(RoomKind.ANNOUNCEMENT))
    assert verdict is not None and "unknown account acc-9" in verdict.explanation


def test_a_listed_poster_is_found_whatever_the_case_of_the_id() -> None:
    room = policy(RoomKind.ANNOUNCEMENT, posters=frozenset({PersonId("SANNE")}), staff=False)
    assert may_post(room, SANNE) and judge(SANNE, room) is None
    assert not may_post(room, PARENT)


def test_a_stray_reaction_where_everyone_may_react_goes_quietly() -> None:
    verdict = judge(SANNE, policy(RoomKind.ANNOUNCEMENT), open_reaction=True)
    assert verdict is not None and verdict.rule_id == "R10"
    assert verdict.actions == (ActionKind.DELETE,) and verdict.notice is None  # removed, and nobody is told
    assert not verdict.for_review  # recorded, but no incident for a mentor to review
    assert "Sanne reacted in announcement room #mededelingen-2b" in verdict.explanation
    assert judge(JAN, policy(RoomKind.ANNOUNCEMENT), open_reaction=True) is None  # staff may react
