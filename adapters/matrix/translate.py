"""Pure translation of raw Matrix event JSON into the core's `Message` (no client, no I/O).

Works on the event dict (`nio_event.source`), which is the same shape for plain and for decrypted events.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import quote, unquote

from moderation.model import AccountId, EventId, MemberChange, MemberChangeKind, Message, Platform, RoomId

# A user id written in a message's text, as clients write a mention.
_MENTION = re.compile(r"(@[a-z0-9._=\-/+]+:[A-Za-z0-9.\-]+(?::\d+)?)")

TEXT_TYPES = frozenset({"m.text", "m.notice", "m.emote"})
MEDIA_TYPES = frozenset({"m.image", "m.file", "m.video", "m.audio"})
POLL_TYPES = frozenset({"m.poll.start", "org.matrix.msc3381.poll.start"})
NAMED_STATE = {"m.room.name": "name", "m.room.topic": "topic"}  # state whose text everyone in the room reads
# Every event type whose words are judged like a message.
JUDGED_TYPES = frozenset({"m.room.message", "m.sticker", *POLL_TYPES, *NAMED_STATE})
# What the announcement-room backstop leaves alone: membership (joining is no posting), the power levels (drift has
# its own check) and redactions (removing something is no posting either).
NOT_POSTING = frozenset({"m.room.member", "m.room.power_levels", "m.room.redaction"})
# Where MSC1767 extensible events keep text: stable, then unstable names; each holds a string or [{body, mimetype}]
_TEXT_KEYS = ("m.text", "org.matrix.msc1767.text", "body")
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
    """The `Message` an event carries: `m.room.message`, `m.sticker`, a poll (its question and answers) or a room's
    name or topic; None for anything else or a redacted one.

    Raises MalformedEvent when a field the message needs is missing or of the wrong type.
    """
    event_type = event.get("type")
    if not isinstance(event_type, str) or event_type not in JUDGED_TYPES:
        return None
    content = event.get("content")
    if not isinstance(content, Mapping):
        raise MalformedEvent(f"{event_type}: content is {type(content).__name__}, not an object")
    if not content:
        return None  # redacted
    event_id = _required_str(event, "event_id")
    sender = _required_str(event, "sender")
    sent_at = _timestamp(event.get("origin_server_ts"))
    if event_type in POLL_TYPES or event_type in NAMED_STATE:
        text = poll_text(content) if event_type in POLL_TYPES else _state_text(content, NAMED_STATE[event_type])
        return _message(room_id, event_id, sender, sent_at, text)

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
        mentions=mentions_in(text),
        link=event_link(room_id, original_id or event_id),
    )


def mentions_in(text: str) -> tuple[AccountId, ...]:
    """The user ids a text mentions (`@daan:school.nl`), in order, each once."""
    return tuple(dict.fromkeys(AccountId(m) for m in _MENTION.findall(text)))


def event_link(room_id: str, event_id: str) -> str:
    return f"https://matrix.to/#/{quote(room_id, safe='!:')}/{quote(event_id, safe='$:')}"


def edit_on_its_own(message: Message, original_sender: str | None) -> Message:
    """An edit whose original is not its sender's (`original_sender`: whose it is; None: it could not be found):
    it replaces nothing, so it stands for itself — the edit event is what is judged, linked and acted on."""
    forged = AccountId(original_sender) if original_sender is not None and original_sender != message.author else None
    return replace(message, message_id=None, forged_edit_of=forged, link=event_link(message.room_id, message.event_id))


def sender_of(event: Mapping[str, object]) -> str | None:
    """The sender of a raw event, None when it has none (a malformed event)."""
    sender = event.get("sender")
    return sender if isinstance(sender, str) and sender else None


def event_message(room_id: str, event: Mapping[str, object]) -> Message:
    """Any other event as a message without words (the announcement-room backstop judges who sent it, not what)."""
    return _message(
        room_id,
        _required_str(event, "event_id"),
        _required_str(event, "sender"),
        _timestamp(event.get("origin_server_ts")),
        "",
    )


def _message(room_id: str, event_id: str, sender: str, sent_at: datetime, text: str) -> Message:
    return Message(
        platform=Platform.MATRIX,
        room_id=RoomId(room_id),
        event_id=EventId(event_id),
        author=AccountId(sender),
        text=text,
        sent_at=sent_at,
        mentions=mentions_in(text),
        link=event_link(room_id, event_id),
    )


def poll_text(content: Mapping[str, object]) -> str:
    """A poll's question and answers, one per line (stable `m.poll` and unstable MSC3381 alike), plus the fallback
    text clients without polls show, when it says something else. Lenient: whatever is readable is judged."""
    poll = content.get("m.poll") or content.get("org.matrix.msc3381.poll.start")
    parts: list[str] = []
    if isinstance(poll, Mapping):
        parts.append(_extensible_text(poll.get("question")))
        answers = poll.get("answers")
        for answer in answers if isinstance(answers, list) else []:
            parts.append(_extensible_text(answer))
    joined = "\n".join(part for part in parts if part.strip())
    fallback = _extensible_text(content)
    if fallback.strip() and _squash(fallback) not in _squash(joined):
        joined = f"{joined}\n{fallback}" if joined else fallback
    return joined


def _extensible_text(holder: object) -> str:
    if not isinstance(holder, Mapping):
        return ""
    for key in _TEXT_KEYS:
        value = holder.get(key)
        if isinstance(value, str) and value.strip():
            return value
        if isinstance(value, list):
            bodies = [v.get("body") for v in value if isinstance(v, Mapping)]
            plain = [b for b in bodies if isinstance(b, str) and b.strip()]
            if plain:
                return plain[0]
    return ""


def _state_text(content: Mapping[str, object], key: str) -> str:
    value = content.get(key)
    return value if isinstance(value, str) else ""


def text_of(content: Mapping[str, object]) -> str:
    """What readers see: the HTML rendering when there is one, plus the plain body when it says something else.

    Both are judged because clients differ in which one they show (notifications show the plain body). For an
    attachment, the body is its caption or alt text and `filename` its file's name: both are shown, both judged.
    """
    body = content.get("body", "")
    if not isinstance(body, str):
        raise MalformedEvent(f"body is {type(body).__name__}, not a string")
    plain = strip_reply_fallback(body)
    filename = content.get("filename")
    if isinstance(filename, str) and filename.strip() and _squash(filename) != _squash(plain):
        plain = f"{plain}\n{filename}" if plain.strip() else filename
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
    if event.get("type") != "m.room.message":
        return None
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
