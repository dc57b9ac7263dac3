"""Pure power-level logic: the wanted announcement-room levels and the drift comparison."""

from __future__ import annotations

from typing import Any

from adapters.matrix.power_levels import Levels, can_set_levels, creators, drift, wanted_levels

BOT = "@schoolwacht:school.test"
TEACHER = "@jansen:school.test"
STUDENT = "@daan:school.test"
CREATOR = "@admin:school.test"

SYNAPSE_DEFAULT: dict[str, Any] = {
    "users": {CREATOR: 100, BOT: 100},
    "users_default": 0,
    "events": {
        "m.room.name": 50,
        "m.room.power_levels": 100,
        "m.room.history_visibility": 100,
        "m.room.canonical_alias": 50,
        "m.room.avatar": 50,
        "m.room.tombstone": 100,
        "m.room.server_acl": 100,
        "m.room.encryption": 100,
    },
    "events_default": 0,
    "state_default": 50,
    "ban": 50,
    "kick": 50,
    "redact": 50,
    "invite": 0,
}


def test_events_default_is_raised_not_just_messages() -> None:
    wanted = wanted_levels(SYNAPSE_DEFAULT, posters=[TEACHER], bot=BOT)
    assert wanted["events_default"] == 50
    assert wanted["users"][TEACHER] == 50
    assert wanted["users"][BOT] == 100
    assert wanted["ban"] == 50 and wanted["state_default"] == 50  # untouched keys stay
    assert drift(SYNAPSE_DEFAULT, wanted) == [
        "events_default is 0, should be 50",
        f"users[{TEACHER}] is unset, should be 50",
    ]


def test_wanted_levels_have_no_drift() -> None:
    wanted = wanted_levels(SYNAPSE_DEFAULT, posters=[TEACHER], bot=BOT)
    assert drift(wanted, wanted_levels(wanted, posters=[TEACHER], bot=BOT)) == []


def test_per_type_entries_below_staff_are_raised() -> None:
    current = {**SYNAPSE_DEFAULT, "events": {"m.room.message": 0, "m.reaction": 10, "m.room.name": 50}}
    wanted = wanted_levels(current, posters=[], bot=BOT)
    assert wanted["events"] == {"m.room.message": 50, "m.reaction": 50, "m.room.name": 50}


def test_reactions_may_be_opened_for_read_confirmations_and_nothing_else() -> None:
    current = {**SYNAPSE_DEFAULT, "events": {"m.room.message": 0, "m.reaction": 50, "m.room.name": 50}}
    wanted = wanted_levels(current, posters=[], bot=BOT, levels=Levels(reactions=True))
    # Taking a ✅ back is a redaction of one's own reaction; anyone else's events still need the `redact` level.
    assert wanted["events"] == {"m.room.message": 50, "m.reaction": 0, "m.room.name": 50, "m.room.redaction": 0}
    assert wanted["events_default"] == 50 and wanted["redact"] == 50
    assert "events[m.reaction] is 50, should be 0" in drift(current, wanted)
    assert "events[m.room.redaction] is unset, should be 0" in drift(current, wanted)
    assert drift(wanted, wanted_levels(wanted, posters=[], bot=BOT, levels=Levels(reactions=True))) == []
    for lowered in ({**current, "redact": 0}, {key: v for key, v in current.items() if key != "redact"}):
        raised = wanted_levels(lowered, posters=[], bot=BOT, levels=Levels(reactions=True, staff=60))
        assert raised["redact"] == 60  # never low enough for a student to remove a teacher's post
        assert "redact is" in " ".join(drift(lowered, raised))
    closed = wanted_levels(current, posters=[], bot=BOT)
    assert "m.room.redaction" not in closed["events"] and closed["redact"] == 50  # without reactions: untouched


def test_a_student_raised_to_posting_level_is_dropped_but_not_a_higher_admin() -> None:
    current = {**SYNAPSE_DEFAULT, "users": {BOT: 100, STUDENT: 50, CREATOR: 100}}
    wanted = wanted_levels(current, posters=[TEACHER], bot=BOT)
    assert STUDENT not in wanted["users"]
    assert wanted["users"][CREATOR] == 100  # as powerful as the bot: it cannot be changed, so it is left
    assert f"users[{STUDENT}] is 50, should not be listed" in drift(current, wanted)


def test_users_default_at_posting_level_is_lowered() -> None:
    wanted = wanted_levels({**SYNAPSE_DEFAULT, "users_default": 50}, posters=[], bot=BOT)
    assert wanted["users_default"] == 0


def test_room_v12_creators_are_never_listed() -> None:
    create = {"type": "m.room.create", "sender": BOT, "content": {"room_version": "12"}}
    room_creators = creators(create)
    assert room_creators == {BOT}
    current = {**SYNAPSE_DEFAULT, "users": {}}
    wanted = wanted_levels(current, posters=[TEACHER], bot=BOT, room_creators=room_creators)
    assert BOT not in wanted["users"]
    assert wanted["users"] == {TEACHER: 50}
    assert can_set_levels(current, BOT, room_creators)


def test_a_creator_who_is_staff_is_left_alone() -> None:
    create = {
        "type": "m.room.create",
        "sender": TEACHER,
        "content": {"room_version": "12", "additional_creators": [CREATOR]},
    }
    room_creators = creators(create)
    assert room_creators == {TEACHER, CREATOR}
    wanted = wanted_levels(
        {**SYNAPSE_DEFAULT, "users": {BOT: 100}}, posters=[TEACHER], bot=BOT, room_creators=room_creators
    )
    assert TEACHER not in wanted["users"] and CREATOR not in wanted["users"]


def test_older_room_versions_have_no_privileged_creators() -> None:
    assert creators({"type": "m.room.create", "sender": CREATOR, "content": {"room_version": "10"}}) == frozenset()
    assert creators(None) == frozenset()


def test_custom_levels() -> None:
    wanted = wanted_levels(SYNAPSE_DEFAULT, posters=[TEACHER], bot=BOT, levels=Levels(staff=75, bot=90))
    assert wanted["events_default"] == 75 and wanted["users"][TEACHER] == 75
    assert wanted["users"][BOT] == 100  # never lowered


def test_the_bot_without_power_cannot_set_levels() -> None:
    assert not can_set_levels({**SYNAPSE_DEFAULT, "users": {BOT: 50}}, BOT, frozenset())
    assert can_set_levels(SYNAPSE_DEFAULT, BOT, frozenset())


def test_wrong_typed_levels_do_not_crash() -> None:
    weird: dict[str, Any] = {"users": ["not", "a", "map"], "events": None, "events_default": "0", "users_default": True}
    wanted = wanted_levels(weird, posters=[TEACHER], bot=BOT)
    assert wanted["events_default"] == 50
    assert wanted["users"] == {TEACHER: 50, BOT: 100}
    assert drift(weird, wanted)
