"""The per-room settings of the protocol's rules (R6, R7, R10, R11): valid ones reach the room's policy, bad ones
are one clear line."""

from __future__ import annotations

from datetime import time

import pytest

from bot.app import room_policy
from bot.settings import SettingsError, settings_from_dict
from moderation.policy import MediaAction, PersonalDataAction


def rooms(**room: object) -> dict[str, object]:
    return {"rooms": [{"platform": "console", "id": "r", "name": "klas-2b", "kind": "student-run", **room}]}


def test_protocol_settings_reach_the_room_policy() -> None:
    settings = settings_from_dict(
        {
            "bot": {"official_names": ["Minkema College"]},
            **rooms(
                personal_data="flag",
                media="hold",
                staff_may_join=True,
                quiet_hours="22:00-07:00",
                quiet_days=["ma", "di"],
                quiet_action="hold",
            ),
        }
    )
    policy = room_policy(settings, settings.rooms[0])
    assert policy.personal_data_action is PersonalDataAction.FLAG
    assert policy.media is MediaAction.HOLD and policy.staff_may_join
    assert policy.quiet_hours is not None
    assert (policy.quiet_hours.start, policy.quiet_hours.end) == (time(22), time(7))
    assert policy.quiet_hours.weekdays == {0, 1} and policy.quiet_hours.hold
    assert settings.bot.official_names == ["Minkema College"]


def test_defaults_leave_media_and_quiet_hours_alone_and_hold_personal_data_in_student_rooms() -> None:
    settings = settings_from_dict(rooms())
    policy = room_policy(settings, settings.rooms[0])
    assert policy.media is MediaAction.ALLOW and policy.quiet_hours is None
    assert policy.personal_data_action is PersonalDataAction.HOLD


@pytest.mark.parametrize(
    "bad", [{"quiet_hours": "8.30 tot 15.30"}, {"quiet_days": ["maandag"]}, {"personal_data": "delete"}]
)
def test_bad_protocol_settings_are_named(bad: dict[str, object]) -> None:
    with pytest.raises(SettingsError) as error:
        settings_from_dict(rooms(**bad))
    assert next(iter(bad)) in str(error.value)
