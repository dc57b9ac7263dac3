"""Discord's permission bits and its permission algorithm, written from Discord's documentation
(docs/topics/Permissions.md: "Permission Hierarchy", "Permission Overwrites", "Implicit Permissions").

The algorithm, for a member in a guild channel:

1. The guild owner has every permission.
2. Base = the @everyone role's permissions | the permissions of every role the member holds.
3. Administrator in the base grants everything (channel overwrites do not apply).
4. Channel overwrites, in this order: the @everyone overwrite (deny, then allow); all the member's role overwrites
   combined (deny, then allow); the member's own overwrite (deny, then allow).
5. A timed-out member keeps only View Channel and Read Message History.
6. Without View Channel nothing else counts; without Send Messages the send-dependent bits go too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

CREATE_INSTANT_INVITE = 1 << 0
KICK_MEMBERS = 1 << 1
BAN_MEMBERS = 1 << 2
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_AUDIT_LOG = 1 << 7
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
SEND_TTS_MESSAGES = 1 << 12
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
MANAGE_ROLES = 1 << 28  # "Manage Permissions" when used in a channel overwrite
MANAGE_WEBHOOKS = 1 << 29
MANAGE_THREADS = 1 << 34  # also: see every private thread (docs/topics/Threads.md)
CREATE_PUBLIC_THREADS = 1 << 35
CREATE_PRIVATE_THREADS = 1 << 36
SEND_MESSAGES_IN_THREADS = 1 << 38
MODERATE_MEMBERS = 1 << 40
SEND_POLLS = 1 << 49

ALL = (1 << 51) - 1

# What a plain member gets from @everyone in a typical school server.
DEFAULT_EVERYONE = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | READ_MESSAGE_HISTORY
    | ADD_REACTIONS
    | EMBED_LINKS
    | ATTACH_FILES
    | CREATE_PUBLIC_THREADS
    | CREATE_PRIVATE_THREADS
    | SEND_MESSAGES_IN_THREADS
    | CREATE_INSTANT_INVITE
    | SEND_POLLS
)

# Bits that mean nothing once Send Messages is gone (Discord drops them implicitly).
_SEND_DEPENDENT = SEND_TTS_MESSAGES | MENTION_EVERYONE | EMBED_LINKS | ATTACH_FILES

NAMES: dict[int, str] = {
    ADMINISTRATOR: "Administrator",
    MANAGE_CHANNELS: "Manage Channels",
    VIEW_AUDIT_LOG: "View Audit Log",
    VIEW_CHANNEL: "View Channel",
    SEND_MESSAGES: "Send Messages",
    MANAGE_MESSAGES: "Manage Messages",
    MANAGE_ROLES: "Manage Roles",
    MODERATE_MEMBERS: "Moderate Members",
}


@dataclass
class Overwrite:
    """A channel permission overwrite for one role (type 0) or one member (type 1)."""

    target_id: int
    type: int
    allow: int = 0
    deny: int = 0


def compute_base(*, everyone: int, roles: Iterable[int], is_owner: bool) -> int:
    """Guild-level permissions: steps 1-3."""
    if is_owner:
        return ALL
    perms = everyone
    for role_perms in roles:
        perms |= role_perms
    if perms & ADMINISTRATOR:
        return ALL
    return perms


def compute_channel(
    *,
    base: int,
    guild_id: int,
    member_id: int,
    member_role_ids: Iterable[int],
    overwrites: Iterable[Overwrite],
    timed_out: bool,
) -> int:
    """Channel-level permissions from the guild-level ones: steps 4-6."""
    if base & ADMINISTRATOR or base == ALL:
        return ALL
    by_target = {(o.type, o.target_id): o for o in overwrites}
    perms = base
    everyone = by_target.get((0, guild_id))
    if everyone is not None:
        perms = (perms & ~everyone.deny) | everyone.allow
    allow = deny = 0
    for role_id in member_role_ids:
        role_ow = by_target.get((0, role_id))
        if role_ow is not None:
            allow |= role_ow.allow
            deny |= role_ow.deny
    perms = (perms & ~deny) | allow
    own = by_target.get((1, member_id))
    if own is not None:
        perms = (perms & ~own.deny) | own.allow
    if timed_out:
        perms &= VIEW_CHANNEL | READ_MESSAGE_HISTORY
    if not perms & VIEW_CHANNEL:
        return 0
    if not perms & SEND_MESSAGES:
        perms &= ~_SEND_DEPENDENT
    return perms
