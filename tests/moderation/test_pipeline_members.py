"""Member changes through the Moderator on a real SQLite incident log: routed, recorded once, acted on."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import Core
from moderation.model import AccountId, EventId, MemberChange, MemberChangeKind, Message, Platform, RoomId
from tests.support.core import make_core
from tests.support.fakes import RecordingEnforcer
from tests.support.incidents import incident_rows

ROOMS = [
    {"platform": "console", "id": "chat", "name": "chat-2b", "kind": "student-run"},
    {"platform": "console", "id": "klas-2b", "name": "klas-2b", "kind": "class"},
]


@pytest.fixture
def core(tmp_path: Path) -> Iterator[Core]:
    core = make_core(tmp_path, rooms=ROOMS)
    yield core
    core.close()


def change(account: str, name: str, kind: MemberChangeKind, room: str = "chat", event: str = "m1") -> MemberChange:
    return MemberChange(
        Platform.CONSOLE,
        RoomId(room),
        EventId(event),
        AccountId(account),
        name,
        kind,
        datetime(2026, 12, 1, tzinfo=UTC),
    )


async def test_a_student_renamed_as_a_teacher_goes_to_leadership_and_the_mentor(core: Core) -> None:
    outcome = await core.moderator.handle_member(
        change("sanne", "Meneer Jansen", MemberChangeKind.RENAMED, room="klas-2b"), RecordingEnforcer()
    )
    assert outcome.incident is not None
    (row,) = incident_rows(core.sessions)
    assert (row.rule_id, row.category, row.excerpt) == ("R7", "impersonation", "Meneer Jansen")
    assert {(r.person_id, r.reason) for r in row.reviewers} == {("jan", "mentor"), ("dir", "leadership")}


async def test_a_teacher_in_a_student_run_room_is_for_their_manager_and_gets_a_note_once(core: Core) -> None:
    enforcer = RecordingEnforcer()
    joined = change("jan", "Meneer Jansen", MemberChangeKind.JOINED)
    await core.moderator.handle_member(joined, enforcer)
    again = await core.moderator.handle_member(joined, enforcer)  # a replay after a restart
    assert again.duplicate
    (row,) = incident_rows(core.sessions)
    assert (row.rule_id, row.category) == ("R10", "staff-in-student-room")
    assert [(r.person_id, r.reason) for r in row.reviewers] == [("dir", "manager")]
    assert enforcer.names().count("notify") == 1


async def test_ordinary_changes_record_nothing(core: Core) -> None:
    enforcer = RecordingEnforcer()
    await core.moderator.handle_member(change("sanne", "sanne 🌸", MemberChangeKind.RENAMED), enforcer)
    await core.moderator.handle_member(
        change("jan", "Meneer Jansen", MemberChangeKind.JOINED, room="klas-2b"), enforcer
    )
    await core.moderator.handle_member(change("daan", "Daan", MemberChangeKind.JOINED), enforcer)
    assert incident_rows(core.sessions) == []


async def test_a_quiet_hours_notice_is_recorded_for_nobody_and_sends_no_card(tmp_path: Path) -> None:
    rooms = [{"platform": "console", "id": "klas", "name": "klas-2b", "kind": "class", "quiet_hours": "00:00-23:59"}]
    core = make_core(tmp_path / "quiet", rooms=rooms)
    try:
        enforcer = RecordingEnforcer()
        message = Message(Platform.CONSOLE, RoomId("klas"), EventId("q1"), AccountId("sanne"), "hoi", datetime.now(UTC))
        await core.moderator.handle(message, enforcer)
        (row,) = incident_rows(core.sessions)
        assert (row.rule_id, row.category, row.status, row.reviewers) == ("R11", "quiet-hours", "resolved", [])
        assert enforcer.names() == ["notify"]  # the notice, and no card anywhere
    finally:
        core.close()
