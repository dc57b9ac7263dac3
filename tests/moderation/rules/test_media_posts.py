"""R6 photos and videos, called directly: per room policy allowed, flagged or held; an image tier that is sure
decides whatever the policy; staff are not judged."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.texts.nl import DUTCH
from moderation.model import (
    AccountId,
    ActionKind,
    Category,
    EventId,
    MediaFinding,
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
from moderation.policy import MediaAction, RoomPolicy
from moderation.rules import MediaPosts, RuleContext

JAN = Person(PersonId("jan"), "Jan de Vries", Role.STAFF)
SANNE = Person(PersonId("sanne"), "Sanne", Role.STUDENT, mentor=PersonId("jan"))


def judge(
    media: MediaAction, *, author: Person = SANNE, has_media: bool = True, seen: MediaFinding | None = None
) -> Verdict | None:
    room = RoomPolicy(room=Room(Platform.MATRIX, RoomId("!r"), "klas-2b", RoomKind.CLASS), media=media)
    message = Message(
        Platform.MATRIX, RoomId("!r"), EventId("$e"), AccountId("@s"), "", datetime.now(UTC), has_media=has_media
    )
    context = RuleContext(
        policy=room, author=author, may_post=True, classification=None, media=seen, notices=DUTCH.notices
    )
    return MediaPosts().evaluate(message, context)


def test_the_room_policy_decides() -> None:
    assert judge(MediaAction.ALLOW) is None
    flagged = judge(MediaAction.FLAG)
    assert flagged is not None and flagged.actions == (ActionKind.FLAG,) and flagged.notice is None
    assert (flagged.rule_id, flagged.category) == ("R6", Category.MEDIA)
    held = judge(MediaAction.HOLD)
    assert held is not None and held.actions == (ActionKind.DELETE, ActionKind.NOTIFY_SENDER)
    assert held.notice is not None and "R6" in held.notice


def test_text_only_messages_and_staff_are_not_judged() -> None:
    assert judge(MediaAction.HOLD, has_media=False) is None
    assert judge(MediaAction.HOLD, author=JAN) is None


def test_a_sure_image_tier_takes_it_down_whatever_the_policy() -> None:
    seen = MediaFinding(Category.SEXUAL, 0.93, "image tier: nudity 0.93")
    verdict = judge(MediaAction.ALLOW, seen=seen)
    assert verdict is not None
    assert (verdict.rule_id, verdict.category, verdict.severity) == ("R7", Category.SEXUAL, Severity.HIGH)
    assert ActionKind.DELETE in verdict.actions
    unsure = MediaFinding(Category.SEXUAL, 0.3, "image tier: nudity 0.30")
    assert judge(MediaAction.ALLOW, seen=unsure) is None
