"""The Discord adapter (discord.py): translate at the edge, judge in the core, act through `DiscordEnforcer`."""

from adapters.discord.client import DiscordAdapter, DiscordStartError
from adapters.discord.config import DiscordConfig, TokenError, read_token
from adapters.discord.permissions import MissingPermissionsError

__all__ = [
    "DiscordAdapter",
    "DiscordConfig",
    "DiscordStartError",
    "MissingPermissionsError",
    "TokenError",
    "read_token",
]
