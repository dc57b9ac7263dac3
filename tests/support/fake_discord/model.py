"""The fake Discord's nouns: users, roles, members, channels, messages, audit-log entries, and Discord's error."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tests.support.fake_discord.permissions import Overwrite

DISCORD_EPOCH_MS = 1420070400000

# Channel types (Discord's numbering, docs/resources/Channel.md "Channel Types").
GUILD_TEXT = 0
DM = 1
GUILD_CATEGORY = 4  # a category: its overwrites are copied into channels that are synced with it
GUILD_NEWS = 5
NEWS_THREAD = 10  # a thread in an announcement channel
PUBLIC_THREAD = 11  # a thread: no overwrites of its own, it takes its parent channel's permissions
PRIVATE_THREAD = 12  # seen only by its members and by those with Manage Threads (docs/topics/Threads.md)
THREAD_TYPES = frozenset({NEWS_THREAD, PUBLIC_THREAD, PRIVATE_THREAD})

# Message flags (docs/resources/Message.md "Message Flags").
CROSSPOSTED = 1 << 0  # this announcement was published to the channels that follow it
IS_CROSSPOST = 1 << 1  # this message is such a published copy, posted by the follower webhook

# Webhook types (docs/resources/Webhook.md).
INCOMING_WEBHOOK = 1
CHANNEL_FOLLOWER_WEBHOOK = 2

# Audit-log action types used here.
CHANNEL_OVERWRITE_CREATE = 13
CHANNEL_OVERWRITE_UPDATE = 14
CHANNEL_OVERWRITE_DELETE = 15
MEMBER_UPDATE = 24
MESSAGE_DELETE = 72
MESSAGE_BULK_DELETE = 73


class DiscordError(Exception):
    """An error as Discord reports it: HTTP status plus a JSON body {"code", "message"}."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message


def missing_permissions() -> DiscordError:
    return DiscordError(403, 50013, "Missing Permissions")


@dataclass
class User:
    id: int
    username: str
    bot: bool = False
    token: str | None = None
    accepts_dms: bool = True
    global_name: str | None = None  # the display name shown everywhere; None: the username capitalised


@dataclass
class Role:
    id: int
    name: str
    permissions: int
    position: int = 1


@dataclass
class Member:
    user_id: int
    role_ids: list[int] = field(default_factory=list)
    joined_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    timed_out_until: datetime | None = None
    nick: str | None = None  # the server nickname, shown instead of the user's global name


@dataclass
class Channel:
    id: int
    name: str
    type: int
    guild_id: int | None
    overwrites: dict[tuple[int, int], Overwrite] = field(default_factory=dict)
    recipients: tuple[int, ...] = ()  # DM channels only
    position: int = 0
    parent_id: int | None = None  # a thread's channel, or a channel's category
    owner_id: int | None = None  # threads only: who started it
    thread_members: set[int] = field(default_factory=set)  # threads only: who joined it
    archived: bool = False  # threads only: archived threads are not in the guild's initial data

    @property
    def is_thread(self) -> bool:
        return self.type in THREAD_TYPES


@dataclass
class StoredMessage:
    id: int
    channel_id: int
    author_id: int
    content: str
    timestamp: datetime
    attachments: list[dict[str, Any]] = field(default_factory=list)
    reference: dict[str, Any] | None = None
    snapshots: list[dict[str, Any]] = field(default_factory=list)
    edited_timestamp: datetime | None = None
    components: list[dict[str, Any]] = field(default_factory=list)  # buttons and selects, as the bot sent them
    webhook_id: int | None = None  # posted by a webhook: its author is the webhook, not a member
    author_name: str = ""  # a webhook's display name
    flags: int = 0
    poll: dict[str, Any] | None = None  # a poll as Discord sends it (question, answers, ...)
    embeds: list[dict[str, Any]] = field(default_factory=list)  # as the bot sent them (title, description, ...)
    nonce: str | None = None  # the sender's nonce: with enforce_nonce, a repeat returns this message


@dataclass
class Webhook:
    """A webhook of a channel (docs/resources/Webhook.md): an incoming one (an integration posts through it) or a
    channel follower one (Discord posts every published announcement of `source_channel_id` through it)."""

    id: int
    channel_id: int
    name: str
    type: int
    token: str
    source_channel_id: int | None = None


@dataclass
class AuditEntry:
    id: int
    user_id: int
    target_id: int
    action_type: int
    reason: str | None
    changes: list[dict[str, Any]] = field(default_factory=list)
    options: dict[str, str] | None = None
    visible_from: float = 0.0  # time.monotonic() from which the entry is listed (Discord gives no timing guarantee)
