"""Rooms the settings do not list (`[bot] unconfigured_rooms`): judged as a kind of room, or left alone."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from moderation.model import AccountId, Category, EventId, Message, Platform, RoomId, RoomKind
from tests.support.core import make_core
from tests.support.fakes import KeywordClassifier, RecordingEnforcer

ROOMS = [{"platform": "console", "id": "klas-2b", "name": "klas-2b", "kind": "class"}]


def message(room: str, text: str) -> Message:
    return Message(
        Platform.CONSOLE, RoomId(room), EventId("e1"), AccountId("sanne"), text, datetime(2026, 11, 24, tzinfo=UTC)
    )


async def test_ignored_rooms_are_not_judged_but_reports_from_them_still_count(tmp_path: Path) -> None:
    core = make_core(
        tmp_path, rooms=ROOMS, classifier=KeywordClassifier(), extra_settings={"bot": {"unconfigured_rooms": "ignore"}}
    )
    enforcer = RecordingEnforcer()
    outcome = await core.moderator.handle(message("elders", "jij sukkel"), enforcer)
    assert outcome.verdict is None and outcome.skipped == "room elders is not configured" and enforcer.calls == []
    assert core.moderator.policy_for(Platform.CONSOLE, RoomId("elders")) is None
    reported = await core.moderator.report(message("elders", "jij sukkel"), AccountId("daan"), "", enforcer)
    assert reported.incident is not None and reported.verdict is not None
    assert reported.verdict.category is Category.REPORTED  # a person asked for review: never dropped


async def test_unconfigured_rooms_can_be_judged_as_announcement_rooms(tmp_path: Path) -> None:
    core = make_core(
        tmp_path,
        rooms=ROOMS,
        classifier=KeywordClassifier(),
        extra_settings={"bot": {"unconfigured_rooms": "announcement"}},
    )
    policy = core.moderator.policy_for(Platform.CONSOLE, RoomId("elders"))
    assert policy is not None and policy.room.kind is RoomKind.ANNOUNCEMENT
    outcome = await core.moderator.handle(message("elders", "hoi allemaal"), RecordingEnforcer())
    assert outcome.verdict is not None and outcome.verdict.rule_id == "R10"
