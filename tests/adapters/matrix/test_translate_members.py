"""Member events as joins and renames, purely from their JSON."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from adapters.matrix.event_fields import MalformedEvent
from adapters.matrix.translate_members import (
    admin_room_members,
    admin_room_page,
    direct_invite_from,
    member_change_from_event,
    present_member,
)
from moderation.model import MemberChangeKind


def member(content: dict[str, Any], prev: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "m.room.member",
        "state_key": "@sanne:school.nl",
        "sender": "@sanne:school.nl",
        "event_id": "$m1",
        "origin_server_ts": 1_764_576_000_000,
        "content": content,
        **extra,
    }
    if prev is not None:
        event["unsigned"] = {"prev_content": prev}
    return event


def test_a_join_and_a_rename() -> None:
    joined = member_change_from_event("!r", member({"membership": "join", "displayname": "Sanne"}))
    assert joined is not None and (joined.kind, joined.display_name) == (MemberChangeKind.JOINED, "Sanne")
    renamed = member_change_from_event(
        "!r",
        member({"membership": "join", "displayname": "Meneer Jansen"}, {"membership": "join", "displayname": "Sanne"}),
    )
    assert renamed is not None and (renamed.kind, renamed.display_name) == (MemberChangeKind.RENAMED, "Meneer Jansen")


def test_what_is_no_change_others_see() -> None:
    same = {"membership": "join", "displayname": "Sanne"}
    assert member_change_from_event("!r", member(same, {**same, "avatar_url": "mxc://x/y"})) is None
    assert member_change_from_event("!r", member({"membership": "leave"})) is None
    assert member_change_from_event("!r", member({"membership": "invite"})) is None
    assert member_change_from_event("!r", {"type": "m.room.member", "content": "x"}) is None


def test_no_display_name_is_the_localpart_and_a_huge_one_is_cut() -> None:
    plain = member_change_from_event("!r", member({"membership": "join"}))
    assert plain is not None and plain.display_name == "sanne"
    huge = member_change_from_event("!r", member({"membership": "join", "displayname": "x" * 100_000}))
    assert huge is not None and len(huge.display_name) == 256


def test_a_malformed_timestamp_is_named() -> None:
    with pytest.raises(MalformedEvent, match="origin_server_ts"):
        member_change_from_event("!r", member({"membership": "join"}, origin_server_ts="yesterday"))


def test_present_members_keep_the_key_of_their_member_event() -> None:
    now = datetime.now(UTC)
    found = present_member("!r", member({"membership": "join", "displayname": "Sanne"}), now)
    assert found is not None and (found.kind, found.event_id) == (MemberChangeKind.PRESENT, "$m1")
    assert present_member("!r", member({"membership": "leave"}), now) is None
    assert present_member("!r", {"type": "m.room.name", "content": {}}, now) is None


def test_admin_room_pages_and_members() -> None:
    page = {"rooms": [{"room_id": "!a", "joined_members": 2}, {"room_id": "!b"}, "junk"], "next_batch": 500}
    assert admin_room_page(page) == ([("!a", 2)], 500)
    assert admin_room_page({"rooms": []}) == ([], None)
    assert admin_room_members({"members": ["@a:x", 7, "@b:x"], "total": 3}) == ("@a:x", "@b:x")
    with pytest.raises(MalformedEvent):
        admin_room_page({"error": "nope"})
    with pytest.raises(MalformedEvent):
        admin_room_members({})


BOT = "@schoolwacht:school.nl"


def _invite(sender: str, *, is_direct: object = True, to: str = BOT, membership: str = "invite") -> SimpleNamespace:
    content: dict[str, object] = {"membership": membership}
    if is_direct is not None:
        content["is_direct"] = is_direct
    return SimpleNamespace(state_key=to, membership=membership, sender=sender, content=content)


def test_a_person_on_the_schools_server_opening_a_direct_room_is_its_opener() -> None:
    others = [SimpleNamespace(state_key="", membership=None, sender="@noor:school.nl", content={"name": "x"})]
    assert direct_invite_from([*others, _invite("@noor:school.nl")], BOT) == "@noor:school.nl"


@pytest.mark.parametrize(
    "event",
    [
        _invite("@noor:school.nl", is_direct=None),  # a group room
        _invite("@noor:school.nl", is_direct="true"),  # not the JSON true
        _invite("@noor:elders.example"),  # another homeserver
        _invite("@noor:school.nl", to="@someone:school.nl"),  # not the bot's invite
        _invite("@noor:school.nl", membership="join"),
        _invite("noor"),  # not a user id
    ],
)
def test_any_other_invite_is_not_a_direct_room_with_the_bot(event: SimpleNamespace) -> None:
    assert direct_invite_from([event], BOT) is None
