"""Pure translation of memberships: a join or rename as the core's `MemberChange`, a person's invite to a direct room
with the bot, and the admin API's room lists."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from adapters.matrix.event_fields import MalformedEvent, required_str, timestamp
from moderation.model import AccountId, EventId, MemberChange, MemberChangeKind, Platform, RoomId

DISPLAY_NAME_MAX = 256  # Synapse caps display names near this; a longer one is cut for the incident, not refused


def member_change_from_event(room_id: str, event: Mapping[str, object]) -> MemberChange | None:
    """An `m.room.member` state event as a join or a rename (R7 fictitious senders, R10 staff in student rooms);
    None for leaves, invites, and joins that change nothing others see."""
    content = event.get("content")
    user = event.get("state_key")
    if not isinstance(content, Mapping) or not isinstance(user, str) or content.get("membership") != "join":
        return None
    unsigned = event.get("unsigned")
    prev = unsigned.get("prev_content") if isinstance(unsigned, Mapping) else None
    prev = prev if isinstance(prev, Mapping) else {}
    name = _display_name(content, user)
    if prev.get("membership") != "join":
        kind = MemberChangeKind.JOINED
    elif name != _display_name(prev, user):
        kind = MemberChangeKind.RENAMED
    else:
        return None
    return MemberChange(
        platform=Platform.MATRIX,
        room_id=RoomId(room_id),
        event_id=EventId(required_str(event, "event_id")),
        account=AccountId(user),
        display_name=name,
        kind=kind,
        at=timestamp(event.get("origin_server_ts")),
    )


def present_member(room_id: str, event: Mapping[str, object], at: datetime) -> MemberChange | None:
    """A member found in the room's state (at start, on schedule), keyed by their current member event: the same
    key as the join the bot saw live, so looking again records nothing new. None for anyone not joined."""
    content = event.get("content")
    user = event.get("state_key")
    event_id = event.get("event_id")
    if event.get("type") != "m.room.member" or not isinstance(content, Mapping) or not isinstance(user, str):
        return None
    if content.get("membership") != "join" or not isinstance(event_id, str):
        return None
    return MemberChange(
        Platform.MATRIX,
        RoomId(room_id),
        EventId(event_id),
        AccountId(user),
        _display_name(content, user),
        MemberChangeKind.PRESENT,
        at,
    )


def _display_name(content: Mapping[str, object], user: str) -> str:
    name = content.get("displayname")
    if isinstance(name, str) and name.strip():
        return name[:DISPLAY_NAME_MAX]
    return user.removeprefix("@").split(":", 1)[0]  # no display name: clients show the localpart


def admin_room_page(body: Mapping[str, object]) -> tuple[list[tuple[str, int]], int | None]:
    """One page of Synapse's admin room list: (room id, joined members) per room, and where the next page starts."""
    rooms = body.get("rooms")
    if not isinstance(rooms, list):
        raise MalformedEvent("the admin room list has no 'rooms' list")
    found = []
    for room in rooms:
        if isinstance(room, Mapping):
            room_id, joined = room.get("room_id"), room.get("joined_members")
            if isinstance(room_id, str) and isinstance(joined, int) and not isinstance(joined, bool):
                found.append((room_id, joined))
    following = body.get("next_batch")
    return found, following if isinstance(following, int) and not isinstance(following, bool) else None


def admin_room_members(body: Mapping[str, object]) -> tuple[str, ...]:
    """The joined members in Synapse's admin answer for one room."""
    members = body.get("members")
    if not isinstance(members, list):
        raise MalformedEvent("the admin member list has no 'members' list")
    return tuple(m for m in members if isinstance(m, str))


def direct_invite_from(invite_state: Iterable[object], bot_user_id: str) -> str | None:
    """Who invited the bot to a direct room of their own (`is_direct` on the bot's invite), when they are on the
    bot's own homeserver: someone the bot does not know yet may open one to link their account (`!koppel`). None for
    any other invite (a group room, a direct room from another server)."""
    for event in invite_state:
        if getattr(event, "state_key", None) != bot_user_id or getattr(event, "membership", None) != "invite":
            continue
        content, sender = getattr(event, "content", None), getattr(event, "sender", None)
        if not isinstance(content, Mapping) or content.get("is_direct") is not True or not isinstance(sender, str):
            continue
        if _server_of(sender) is not None and _server_of(sender) == _server_of(bot_user_id):
            return sender
    return None


def _server_of(user_id: str) -> str | None:
    local, colon, server = user_id.partition(":")
    return server if local.startswith("@") and colon and server else None
