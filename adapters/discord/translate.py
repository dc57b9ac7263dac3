"""Discord → core, at the edge: pure functions from discord.py objects (and raw payload fields) to `Message`.

Nothing here talks to Discord; every function reads only what it is given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import discord

from moderation.model import AccountId, EventId, Message, Platform, RoomId

# Message types a person writes; everything else (joins, pins, boosts, ...) is a system message.
_PERSON_TYPES = frozenset({discord.MessageType.default, discord.MessageType.reply})

_JUMP_LINK = re.compile(
    r"^https://(?:(?:ptb|canary)\.)?discord(?:app)?\.com/channels/(?P<guild>\d+|@me)/(?P<channel>\d+)/(?P<message>\d+)/?$"
)


class NotAMessage(ValueError):
    """The object is not a person's message in a guild channel (a system message, a DM, ...)."""


@dataclass(frozen=True, slots=True)
class JumpLink:
    guild_id: int | None
    channel_id: int
    message_id: int


def to_message(msg: discord.Message) -> Message:
    """A new post (or a forward of someone else's post: R1 counts it like posting)."""
    return _build(msg, event_id=EventId(str(msg.id)), sent_at=msg.created_at, is_edit=False)


def edit_to_message(msg: discord.Message) -> Message:
    """A new version of an edited message; its event id names the version, so every edit is judged once."""
    edited_at = msg.edited_at
    if edited_at is None:
        raise NotAMessage("an update without an edit time (an embed unfurl or pin, not a new text)")
    version = EventId(f"{msg.id}@{int(edited_at.timestamp() * 1000)}")
    return _build(msg, event_id=version, sent_at=edited_at, is_edit=True)


def _build(msg: discord.Message, *, event_id: EventId, sent_at: datetime, is_edit: bool) -> Message:
    if msg.guild is None:
        raise NotAMessage("a direct message, not a guild channel message")
    if msg.type not in _PERSON_TYPES:
        raise NotAMessage(f"a system message of type {msg.type.name}")
    snapshots = list(getattr(msg, "message_snapshots", None) or [])
    reference = msg.reference
    is_forward = bool(snapshots) or (reference is not None and reference.type is discord.MessageReferenceType.forward)
    parts = [msg.content] + [snap.content for snap in snapshots if snap.content]
    has_media = bool(msg.attachments or msg.stickers) or any(snap.attachments for snap in snapshots)
    reply_to = None
    if reference is not None and not is_forward and reference.message_id is not None:
        reply_to = EventId(str(reference.message_id))
    author = msg.author
    return Message(
        platform=Platform.DISCORD,
        room_id=RoomId(str(room_of(msg.channel))),
        event_id=event_id,
        message_id=EventId(str(msg.id)),
        author=AccountId(str(author.id)),
        author_name=author.display_name,
        text="\n".join(p for p in parts if p),
        sent_at=sent_at,
        is_edit=is_edit,
        is_forward=is_forward,
        has_media=has_media,
        reply_to=reply_to,
        link=msg.jump_url,
    )


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
