"""Discord → core, at the edge: pure functions from discord.py objects (and raw payload fields) to `Message`.

Nothing here talks to Discord; every function reads only what it is given.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import discord

from moderation.model import AccountId, EventId, MemberChange, MemberChangeKind, Message, Platform, RoomId

# Message types a person writes; everything else (joins, pins, boosts, ...) is a system message.
_PERSON_TYPES = frozenset({discord.MessageType.default, discord.MessageType.reply})

_JUMP_LINK = re.compile(
    r"^https://(?:(?:ptb|canary)\.)?discord(?:app)?\.com/channels/(?P<guild>\d+|@me)/(?P<channel>\d+)/(?P<message>\d+)/?$"
)


THREAD_TARGET = "thread:"
# How Discord writes a mention of a member in a message's text (the legacy form has a "!").
_MENTION = re.compile(r"<@!?(\d{15,21})>")


class NotAMessage(ValueError):
    """The object is not a person's message in a guild channel (a system message, a DM, ...)."""


@dataclass(frozen=True, slots=True)
class JumpLink:
    guild_id: int | None
    channel_id: int
    message_id: int


def to_message(msg: discord.Message, room: int | None = None) -> Message:
    """A new post (or a forward of someone else's post: R1 counts it like posting). `room`: the channel whose
    policy applies, when the caller knows it better than the message does (a thread not in discord.py's cache)."""
    return _build(msg, event_id=EventId(str(msg.id)), sent_at=msg.created_at, is_edit=False, room=room)


def edit_to_message(msg: discord.Message, room: int | None = None) -> Message:
    """A new version of an edited message; its event id names the version, so every edit is judged once."""
    edited_at = msg.edited_at
    if edited_at is None:
        raise NotAMessage("an update without an edit time (an embed unfurl or pin, not a new text)")
    version = EventId(f"{msg.id}@{int(edited_at.timestamp() * 1000)}")
    return _build(msg, event_id=version, sent_at=edited_at, is_edit=True, room=room)


def judged_text(msg: discord.Message) -> str:
    """Everything a person wrote that others read: the text, forwarded texts, a poll's question and answers, and
    attachments' file names and alt texts (a file named after a classmate says as much as a sentence)."""
    snapshots = list(getattr(msg, "message_snapshots", None) or [])
    parts = [msg.content] + [snap.content for snap in snapshots if snap.content]
    poll = msg.poll
    if poll is not None:
        parts.append(poll.question or "")
        parts.extend(answer.text for answer in poll.answers if answer.text)
    attachments = [*msg.attachments, *(a for snap in snapshots for a in snap.attachments)]
    for attachment in attachments:
        parts.append(_file_stem(attachment.filename))
        if attachment.description:
            parts.append(attachment.description)
    return "\n".join(p for p in parts if p)


def _file_stem(filename: str) -> str:
    """`daan_is_een_sukkel.png` → `daan is een sukkel`: the words of a file name, as a reader sees them."""
    stem = filename.rsplit(".", 1)[0] if "." in filename else filename
    return " ".join(re.split(r"[_\-.]+", stem)).strip()


def _build(msg: discord.Message, *, event_id: EventId, sent_at: datetime, is_edit: bool, room: int | None) -> Message:
    if msg.guild is None:
        raise NotAMessage("a direct message, not a guild channel message")
    if msg.type not in _PERSON_TYPES:
        raise NotAMessage(f"a system message of type {msg.type.name}")
    snapshots = list(getattr(msg, "message_snapshots", None) or [])
    reference = msg.reference
    is_forward = bool(snapshots) or (reference is not None and reference.type is discord.MessageReferenceType.forward)
    has_media = bool(msg.attachments or msg.stickers or msg.poll) or any(snap.attachments for snap in snapshots)
    by_integration = msg.webhook_id is not None  # a webhook's post, or a followed channel's published announcement
    reply_to = None
    if reference is not None and not is_forward and not by_integration and reference.message_id is not None:
        reply_to = EventId(str(reference.message_id))
    author = msg.author
    text = judged_text(msg)
    return Message(
        platform=Platform.DISCORD,
        room_id=RoomId(str(room if room is not None else room_of(msg.channel))),
        event_id=event_id,
        message_id=EventId(str(msg.id)),
        author=AccountId(str(author.id)),
        author_name=author.display_name,
        text=text,
        sent_at=sent_at,
        is_edit=is_edit,
        is_forward=is_forward,
        by_integration=by_integration,
        has_media=has_media,
        reply_to=reply_to,
        mentions=mentions_in(text),
        link=msg.jump_url,
    )


def thread_name_message(thread: discord.Thread) -> Message:
    """A thread's name, judged like a message by the thread's starter (its event id names this version of the
    name, so a rename is judged again). The action target is the thread itself."""
    digest = hashlib.sha256(thread.name.encode()).hexdigest()[:12]
    parent = thread.parent_id if thread.parent_id is not None else thread.id
    return Message(
        platform=Platform.DISCORD,
        room_id=RoomId(str(parent)),
        event_id=EventId(f"thread-name:{thread.id}:{digest}"),
        message_id=EventId(f"{THREAD_TARGET}{thread.id}"),
        author=AccountId(str(thread.owner_id or "")),
        text=thread.name,
        sent_at=thread.created_at or datetime.now(UTC),
        mentions=mentions_in(thread.name),
        link=thread.jump_url,
    )


def mentions_in(text: str) -> tuple[AccountId, ...]:
    """The members a text mentions, in order, each once."""
    return tuple(dict.fromkeys(AccountId(m) for m in _MENTION.findall(text)))


def thread_target(target_id: str) -> int | None:
    """The thread id of a thread-name target (see `thread_name_message`), else None."""
    rest = target_id.removeprefix(THREAD_TARGET)
    return int(rest) if rest != target_id and rest.isdigit() else None


def room_of(channel: object) -> int:
    """The channel whose room policy applies: a thread's parent channel, else the channel itself."""
    if isinstance(channel, discord.Thread) and channel.parent_id is not None:
        return channel.parent_id
    return int(getattr(channel, "id", 0))


def parse_jump_link(text: str) -> JumpLink:
    """`https://discord.com/channels/<guild>/<channel>/<message>` (what "Copy Message Link" gives)."""
    match = _JUMP_LINK.match(text.strip())
    if match is None:
        raise ValueError("not a Discord message link (expected https://discord.com/channels/<guild>/<channel>/<id>)")
    guild = match["guild"]
    return JumpLink(None if guild == "@me" else int(guild), int(match["channel"]), int(match["message"]))


def member_change(member: discord.Member, kind: MemberChangeKind, at: datetime) -> MemberChange:
    """A member who joined the server or changed the name others see (nickname or global name), as the core's
    change. Discord has no event id for either: the key is made from the change, so a replayed event (a RESUME)
    records nothing twice while a new name is a new change."""
    name = member.display_name
    digest = hashlib.sha256(name.encode("utf-8", "replace")).hexdigest()[:16]
    key = f"join:{member.id}:{int(member.joined_at.timestamp()) if member.joined_at else 0}"
    return MemberChange(
        platform=Platform.DISCORD,
        room_id=RoomId(str(member.guild.id)),
        event_id=EventId(key if kind is MemberChangeKind.JOINED else f"name:{member.id}:{digest}"),
        account=AccountId(str(member.id)),
        display_name=name[:256],
        kind=kind,
        at=at,
    )
