"""The start-up check: does the bot hold every permission it needs, in every configured channel?

Pure: takes permission bit sets (as discord.py computes them for the bot) and returns human problems.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

import discord

from adapters.base import AdapterStartError
from adapters.discord.overwrites import EVERYONE_DENY, POSTER_ALLOW


class ChannelUse(Enum):
    REVIEW = "review"  # incident cards are posted here
    MODERATED = "moderated"  # messages are judged and may be deleted
    ANNOUNCEMENT = "announcement"  # moderated, and its overwrites are set and restored (R10)


_NAMES: dict[str, str] = {
    "view_channel": "View Channel",
    "read_messages": "View Channel",  # discord.py's name for the same bit
    "send_messages": "Send Messages",
    "manage_messages": "Manage Messages",
    "manage_roles": "Manage Roles (Manage Permissions)",
    "view_audit_log": "View Audit Log",
    "read_message_history": "Read Message History",
    "mention_everyone": "Mention Everyone",
    "create_public_threads": "Create Public Threads",
    "create_private_threads": "Create Private Threads",
    "send_messages_in_threads": "Send Messages in Threads",
    "manage_threads": "Manage Threads",
}


def _bits(*names: str) -> int:
    return discord.Permissions(**dict.fromkeys(names, True)).value


_NEEDED: dict[ChannelUse, int] = {
    ChannelUse.REVIEW: _bits("view_channel", "send_messages"),
    # Notices go by direct message, so the bot need not post in moderated channels itself. Manage Threads: Discord
    # shows a private thread only to its members and to those with Manage Threads.
    ChannelUse.MODERATED: _bits("view_channel", "manage_messages", "read_message_history", "manage_threads"),
    ChannelUse.ANNOUNCEMENT: _bits(
        "view_channel", "manage_messages", "read_message_history", "manage_roles", "manage_threads"
    ),
}
# Discord lets a bot allow or deny in an overwrite only what it holds in the server, or in the channel's category
# when it has one (50013 otherwise), unless the bot has its own Manage Permissions overwrite in the channel.
OVERWRITE_BITS = EVERYONE_DENY | POSTER_ALLOW
ANNOUNCEMENT_GUILD_NEEDED = _bits("manage_roles") | OVERWRITE_BITS
GUILD_NEEDED = _bits("view_audit_log")


class MissingPermissionsError(AdapterStartError):
    """The bot cannot do its job; the message names every missing permission and where."""


@dataclass(frozen=True, slots=True)
class ChannelCheck:
    channel_id: int
    name: str
    use: ChannelUse
    permissions: int | None  # None: the channel does not exist (or the bot cannot see it at all)
    # The bot's permissions in the channel's category (None: no category, or the bot has its own Manage Permissions
    # overwrite in the channel): what it may allow or deny in the channel's overwrites.
    category: tuple[str, int] | None = None


def permission_names(bits: int) -> list[str]:
    return [_NAMES.get(name, name.replace("_", " ").title()) for name, on in discord.Permissions(bits) if on]


def problems(guild_permissions: int, channels: Sequence[ChannelCheck]) -> list[str]:
    """Every missing permission, one line each; empty when the bot may start."""
    found: list[str] = []
    if guild_permissions & discord.Permissions(administrator=True).value:
        return found
    needed = GUILD_NEEDED
    if any(check.use is ChannelUse.ANNOUNCEMENT for check in channels):
        needed |= ANNOUNCEMENT_GUILD_NEEDED
    missing = needed & ~guild_permissions
    if missing:
        found.append(f"in the server: {', '.join(permission_names(missing))}")
    for check in channels:
        if check.permissions is None:
            found.append(f"channel {check.name} ({check.channel_id}) does not exist or the bot cannot see it")
            continue
        missing = _NEEDED[check.use] & ~check.permissions
        if missing:
            found.append(f"in #{check.name} ({check.use.value}): {', '.join(permission_names(missing))}")
        if check.use is ChannelUse.ANNOUNCEMENT and check.category is not None:
            name, held = check.category
            missing = OVERWRITE_BITS & ~held
            if missing:
                found.append(
                    f"in the category {name} of #{check.name}: {', '.join(permission_names(missing))} (Discord lets "
                    "the bot set in a channel's overwrites only what it holds in the channel's category)"
                )
    return found


def explain(found: Sequence[str]) -> str:
    return "the Discord bot is missing permissions, so it does not start:\n" + "\n".join(f"  - {p}" for p in found)
