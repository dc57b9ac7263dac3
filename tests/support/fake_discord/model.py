"""The fake Discord's nouns: users, roles, members, channels, messages, audit-log entries, and Discord's error."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tests.support.fake_discord.permissions import Overwrite

DISCORD_EPOCH_MS = 1420070400000

# Channel types (Discord's numbering).
GUILD_TEXT = 0
DM = 1
GUILD_NEWS = 5
PUBLIC_THREAD = 11  # a thread: no overwrites of its own, it takes its parent channel's permissions

# Audit-log action types used here.
CHANNEL_OVERWRITE_CREATE = 13
CHANNEL_OVERWRITE_UPDATE = 14
CHANNEL_OVERWRITE_DELETE = 15
MEMBER_UPDATE = 24
MESSAGE_DELETE = 72


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


@dataclass
class Channel:
    id: int
    name: str
    type: int
    guild_id: int | None
    overwrites: dict[tuple[int, int], Overwrite] = field(default_factory=dict)
    recipients: tuple[int, ...] = ()  # DM channels only
    position: int = 0
    parent_id: int | None = None  # threads only
    owner_id: int | None = None  # threads only: who started it


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


@dataclass
class AuditEntry:
    id: int
    user_id: int
    target_id: int
    action_type: int
    reason: str | None
    changes: list[dict[str, Any]] = field(default_factory=list)
    options: dict[str, str] | None = None
