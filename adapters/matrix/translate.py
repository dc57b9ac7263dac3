"""Pure translation of raw Matrix event JSON into the core's `Message` (no client, no I/O).

Works on the event dict (`nio_event.source`), which is the same shape for plain and for decrypted events. The words
are read in `event_text`, `!report` in `report_command`, memberships in `translate_members`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from urllib.parse import quote, unquote

from adapters.matrix.event_fields import MalformedEvent, optional_str, required_str, timestamp
from adapters.matrix.event_text import poll_text, state_text, text_of
from moderation.model import AccountId, EventId, Message, Platform, RoomId

# A user id written in a message's text, as clients write a mention.
_MENTION = re.compile(r"(@[a-z0-9._=\-/+]+:[A-Za-z0-9.\-]+(?::\d+)?)")

MEDIA_TYPES = frozenset({"m.image", "m.file", "m.video", "m.audio"})
POLL_TYPES = frozenset({"m.poll.start", "org.matrix.msc3381.poll.start"})
NAMED_STATE = {"m.room.name": "name", "m.room.topic": "topic"}  # state whose text everyone in the room reads
# Every event type whose words are judged like a message.
JUDGED_TYPES = frozenset({"m.room.message", "m.sticker", *POLL_TYPES, *NAMED_STATE})
# What the announcement-room backstop leaves alone: membership (joining is no posting), the power levels (drift has
# its own check) and redactions (removing something is no posting either).
NOT_POSTING = frozenset({"m.room.member", "m.room.power_levels", "m.room.redaction"})

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
    event_id = required_str(event, "event_id")
    sender = required_str(event, "sender")
    sent_at = timestamp(event.get("origin_server_ts"))
    if event_type in POLL_TYPES or event_type in NAMED_STATE:
        text = poll_text(content) if event_type in POLL_TYPES else state_text(content, NAMED_STATE[event_type])
        return _message(room_id, event_id, sender, sent_at, text)

    relates = content.get("m.relates_to")
    relates = relates if isinstance(relates, Mapping) else {}
    is_edit = relates.get("rel_type") == "m.replace"
    original_id: str | None = None
    body_content: Mapping[str, object] = content
    if is_edit:
        original_id = optional_str(relates, "event_id", "m.relates_to")
        new_content = content.get("m.new_content")
        if original_id is None or not isinstance(new_content, Mapping):
            raise MalformedEvent("m.replace edit without m.relates_to.event_id or m.new_content object")
        body_content = new_content

    msgtype = "m.sticker" if event_type == "m.sticker" else body_content.get("msgtype")
    if not isinstance(msgtype, str):
        raise MalformedEvent(f"msgtype is {type(msgtype).__name__}, not a string")
    text = text_of(body_content)
    in_reply = relates.get("m.in_reply_to")
    reply_to = optional_str(in_reply, "event_id", "m.in_reply_to") if isinstance(in_reply, Mapping) else None
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


def event_message(room_id: str, event: Mapping[str, object], *, reactions_open: bool = False) -> Message:
    """Any other event as a message without words (the announcement-room backstop judges who sent it, not what).
    `reactions_open`: the room lets everyone react (`read_reactions`), so a reaction is no way round R10."""
    message = _message(
        room_id,
        required_str(event, "event_id"),
        required_str(event, "sender"),
        timestamp(event.get("origin_server_ts")),
        "",
    )
    return replace(message, open_reaction=True) if reactions_open and event.get("type") == "m.reaction" else message


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


READ_KEYS = frozenset({"✅", "✔", "☑", "✓", "👍"})  # a reaction that says "gelezen" (without emoji variation)
READ_KEY = "✅"  # the one the bot shows under a post as the hint


def read_reaction(event: Mapping[str, object]) -> tuple[str, str] | None:
    """A reaction meaning "gelezen": (the annotated event's id, the sender); None for anything else."""
    if event.get("type") != "m.reaction":
        return None
    content = event.get("content")
    relation = content.get("m.relates_to") if isinstance(content, Mapping) else None
    if not isinstance(relation, Mapping) or relation.get("rel_type") != "m.annotation":
        return None
    target, key, sender = relation.get("event_id"), relation.get("key"), event.get("sender")
    if not isinstance(target, str) or not isinstance(key, str) or not isinstance(sender, str):
        return None
    return (target, sender) if key.strip().replace("\ufe0f", "") in READ_KEYS else None


def redacted_event(event: Mapping[str, object]) -> str | None:
    """The id of the event a redaction removes (`content.redacts` from room version 11 on, before that beside the
    content); None for anything else."""
    if event.get("type") != "m.room.redaction":
        return None
    content = event.get("content")
    redacts = content.get("redacts") if isinstance(content, Mapping) else None
    redacts = redacts if isinstance(redacts, str) else event.get("redacts")
    return redacts if isinstance(redacts, str) else None
