"""R7 called directly: an edit the adapter found to claim someone else's message is a fabricated message."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.texts.nl import DUTCH
from moderation.model import AccountId, ActionKind, Category, EventId, Message, Platform, Room, RoomId, RoomKind
from moderation.policy import RoomPolicy
from moderation.rules import ForgedEdit, RuleContext

EDIT = Message(
    Platform.MATRIX, RoomId("!r"), EventId("$edit"), AccountId("@daan:s"), "weg", datetime.now(UTC), is_edit=True
)
CONTEXT = RuleContext(
    policy=RoomPolicy(room=Room(Platform.MATRIX, RoomId("!r"), "klas-2b", RoomKind.STUDENT_RUN)),
    author=None,
    may_post=True,
    classification=None,
    notices=DUTCH.notices,
)


def test_a_forged_edit_is_removed_and_its_sender_told() -> None:
    verdict = ForgedEdit().evaluate(replace(EDIT, forged_edit_of=AccountId("@jan:s")), CONTEXT)
    assert verdict is not None and (verdict.rule_id, verdict.category) == ("R7", Category.FORGED_EDIT)
    assert verdict.actions == (ActionKind.DELETE, ActionKind.NOTIFY_SENDER)
    assert "@jan:s" in verdict.explanation and verdict.notice and "R7" in verdict.notice


def test_an_ordinary_edit_is_not_its_business() -> None:
    assert ForgedEdit().evaluate(EDIT, CONTEXT) is None
