"""R11 called directly: quiet hours by the school's clock, over midnight too; staff never held; nobody reviews."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

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
from moderation.policy import QuietHours, RoomPolicy
from moderation.rules import QuietHoursRule, RuleContext

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
JAN = Person(PersonId("jan"), "Jan de Vries", Role.STAFF)
SANNE = Person(PersonId("sanne"), "Sanne", Role.STUDENT, mentor=PersonId("jan"))
SCHOOL_HOURS = QuietHours(time(8, 30), time(15, 30), AMSTERDAM, frozenset(range(5)))
NIGHT = QuietHours(time(22, 0), time(7, 0), AMSTERDAM, frozenset(range(7)), hold=True)


def judge(quiet: QuietHours, at: datetime, author: Person = SANNE) -> Verdict | None:
    room = RoomPolicy(room=Room(Platform.CONSOLE, RoomId("r"), "klas-2b", RoomKind.CLASS), quiet_hours=quiet)
    message = Message(Platform.CONSOLE, RoomId("r"), EventId("e"), AccountId("s"), "hoi", at)
    return QuietHoursRule().evaluate(message, RuleContext(room, author, True, None, notices=DUTCH.notices))


@pytest.mark.parametrize(
    ("local", "quiet"),
    [
        (datetime(2026, 12, 1, 10, 0), True),  # a Tuesday, in class
        (datetime(2026, 12, 1, 8, 29), False),
        (datetime(2026, 12, 1, 15, 30), False),
        (datetime(2026, 12, 5, 10, 0), False),  # Saturday
    ],
)
def test_school_hours_by_the_schools_clock(local: datetime, quiet: bool) -> None:
    at = local.replace(tzinfo=AMSTERDAM).astimezone(UTC)
    verdict = judge(SCHOOL_HOURS, at)
    assert (verdict is not None) is quiet
    if verdict is not None:
        assert (verdict.rule_id, verdict.category, verdict.for_review) == ("R11", Category.QUIET_HOURS, False)
        assert verdict.actions == (ActionKind.NOTIFY_SENDER,)
        assert verdict.notice is not None and "15:30" in verdict.notice and "R11" in verdict.notice


def test_a_night_window_runs_past_midnight_and_holds() -> None:
    late = datetime(2026, 12, 1, 23, 15, tzinfo=AMSTERDAM)
    early = datetime(2026, 12, 2, 6, 45, tzinfo=AMSTERDAM)
    day = datetime(2026, 12, 2, 12, 0, tzinfo=AMSTERDAM)
    held = judge(NIGHT, late)
    assert held is not None and held.actions == (ActionKind.DELETE, ActionKind.NOTIFY_SENDER)
    assert judge(NIGHT, early) is not None
    assert judge(NIGHT, day) is None


def test_staff_are_never_held() -> None:
    assert judge(NIGHT, datetime(2026, 12, 1, 23, 15, tzinfo=AMSTERDAM), author=JAN) is None
