"""Pure translation of raw Matrix event JSON into the core's `Message` (no client, no I/O).

Works on the event dict (`nio_event.source`), which is the same shape for plain and for decrypted events.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import quote, unquote

from moderation.model import AccountId, EventId, MemberChange, MemberChangeKind, Message, Platform, RoomId

TEXT_TYPES = frozenset({"m.text", "m.notice", "m.emote"})
MEDIA_TYPES = frozenset({"m.image", "m.file", "m.video", "m.audio"})
REPORT_COMMAND = "!report"
REPORT_REASON_MAX = 500  # the reason lands on the incident card; a pasted essay must not flood every reviewer's card

_BLOCK_TAGS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "hr"})


class MalformedEvent(ValueError):
    """The event is not a usable message: says which field is wrong so the log line is clear."""


@dataclass(frozen=True, slots=True)
class ReportCommand:
    reporter: AccountId
    target: EventId  # the message being reported (the one the command replies to, or the one its link names)
    reason: str
    command_event: EventId
    target_room: RoomId | None = None  # set when the message was named by a matrix.to link (a private report)


_MATRIX_TO = re.compile(r"^https://matrix\.to/#/(?P<room>[^/?\s]+)/(?P<event>[^/?\s]+)(?:\?\S*)?$")


def parse_event_link(text: str) -> tuple[RoomId, EventId] | None:
    """`https://matrix.to/#/!room:server/$event?via=…` (Element: message options → Share / Copy link). None when
    `text` is no such link. A link by room alias (#klas:server) cannot name a room here: MalformedEvent."""
    match = _MATRIX_TO.match(text.strip())
    if match is None:
        return None
    room, event = unquote(match["room"]), unquote(match["event"])
    if not room.startswith("!") or not event.startswith("$"):
        raise MalformedEvent("!report needs a message link with the room's id (!…), not its alias")
    return RoomId(room), EventId(event)


def message_from_event(room_id: str, event: Mapping[str, object]) -> Message | None:
    """The `Message` an `m.room.message` (or `m.sticker`) event carries; None for anything else or a redacted one.

    Raises MalformedEvent when a field the message needs is missing or of the wrong type.
    """
    event_type = event.get("type")
    if event_type not in ("m.room.message", "m.sticker"):
        return None
    content = event.get("content")
    if not isinstance(content, Mapping):
        raise MalformedEvent(f"{event_type}: content is {type(content).__name__}, not an object")
    if not content:
        return None  # redacted
    event_id = _required_str(event, "event_id")
    sender = _required_str(event, "sender")
    sent_at = _timestamp(event.get("origin_server_ts"))

    relates = content.get("m.relates_to")
    relates = relates if isinstance(relates, Mapping) else {}
    is_edit = relates.get("rel_type") == "m.replace"
    original_id: str | None = None
    body_content: Mapping[str, object] = content
    if is_edit:
        original_id = _optional_str(relates, "event_id", "m.relates_to")
        new_content = content.get("m.new_content")
        if original_id is None or not isinstance(new_content, Mapping):
            raise MalformedEvent("m.replace edit without m.relates_to.event_id or m.new_content object")
        body_content = new_content

    msgtype = "m.sticker" if event_type == "m.sticker" else body_content.get("msgtype")
    if not isinstance(msgtype, str):
        raise MalformedEvent(f"msgtype is {type(msgtype).__name__}, not a string")
    text = text_of(body_content)
    in_reply = relates.get("m.in_reply_to")
    reply_to = _optional_str(in_reply, "event_id", "m.in_reply_to") if isinstance(in_reply, Mapping) else None
    return Message(
        platform=Platform.MATRIX,
        room_id=RoomId(room_id),
        event_id=EventId(event_id),
        message_id=EventId(original_id) if original_id else None,
        author=AccountId(sender),
        text=text,
        sent_at=sent_at,
        is_edit=is_edit,
        has_media=msgtype in MEDIA_TYPES or msgtype == "m.sticker",
        reply_to=EventId(reply_to) if reply_to else None,
        link=f"https://matrix.to/#/{quote(room_id, safe='!:')}/{quote(original_id or event_id, safe='$:')}",
    )


def text_of(content: Mapping[str, object]) -> str:
    """What readers see: the HTML rendering when there is one, plus the plain body when it says something else.

    Both are judged because clients differ in which one they show (notifications show the plain body).
    """
    body = content.get("body", "")
    if not isinstance(body, str):
        raise MalformedEvent(f"body is {type(body).__name__}, not a string")
    plain = strip_reply_fallback(body)
    formatted = content.get("formatted_body")
    if content.get("format") == "org.matrix.custom.html" and isinstance(formatted, str):
        rendered = html_to_text(formatted)
        if _squash(rendered) != _squash(plain) and plain.strip():
            return f"{rendered}\n{plain}" if rendered.strip() else plain
        return rendered
    return plain


def strip_reply_fallback(body: str) -> str:
    """Drop the quoted "> <@user> ..." lines a reply starts with (the quoted message is judged on its own)."""
    if not body.startswith(">"):
        return body
    lines = body.split("\n")
    index = 0
    while index < len(lines) and lines[index].startswith(">"):
        index += 1
    if index < len(lines) and lines[index] == "":
        index += 1
    return "\n".join(lines[index:])


def html_to_text(html: str) -> str:
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def report_command(room_id: str, event: Mapping[str, object]) -> ReportCommand | None:
    """`!report [reason]` sent as a reply: which message is reported, by whom, why. None when it is not one."""
    message = message_from_event(room_id, event)
    if message is None or message.is_edit:
        return None
    words = message.text.strip().split(maxsplit=1)
    if not words or words[0].lower() != REPORT_COMMAND:
        return None
    tokens = words[1].split() if len(words) > 1 else []
    named = None
    if message.reply_to is None:  # a private report: the message's link, e.g. in the direct room with the bot
        links = [token for token in tokens if token.startswith("https://matrix.to/")]
        named = parse_event_link(links[0]) if links else None
        if named is None:
            raise MalformedEvent("!report must be sent as a reply to the message it reports, or with its link")
        tokens = [token for token in tokens if token not in links]  # (an HTML rendering may repeat the link)
    reason = " ".join(tokens)
    if len(reason) > REPORT_REASON_MAX:
        reason = reason[: REPORT_REASON_MAX - 1] + "…"
    target = named[1] if named else message.reply_to
    assert target is not None
    return ReportCommand(
        reporter=message.author,
        target=target,
        reason=reason,
        command_event=message.event_id,
        target_room=named[0] if named else None,
    )


def _squash(text: str) -> str:
    return " ".join(text.split())


def _required_str(event: Mapping[str, object], key: str) -> str:
    value = event.get(key)
    if not isinstance(value, str) or not value:
        raise MalformedEvent(f"{key} is missing or not a string (got {type(value).__name__})")
    return value


def _optional_str(mapping: Mapping[str, object], key: str, where: str) -> str | None:
    value = mapping.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise MalformedEvent(f"{where}.{key} is {type(value).__name__}, not a string")
    return value


def _timestamp(value: object) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedEvent(f"origin_server_ts is {type(value).__name__}, not an integer")
    try:
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise MalformedEvent(f"origin_server_ts {value} is out of range") from None


class _TextParser(HTMLParser):
    """HTML to plain text: tags dropped, blocks become lines, the <mx-reply> quote of a reply left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "mx-reply":
            self._skip_depth += 1
        elif tag in _BLOCK_TAGS and not self._skip_depth:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "mx-reply":
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCK_TAGS and not self._skip_depth:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.parts.append(data)

    def unknown_decl(self, data: str) -> None:
        return None


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
        event_id=EventId(_required_str(event, "event_id")),
        account=AccountId(user),
        display_name=name,
        kind=kind,
        at=_timestamp(event.get("origin_server_ts")),
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
