"""The Discord adapter's settings (the composition root maps `[discord]` onto them and reads the token)."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.base import AdapterConfigError

TOKEN_ENV = "SCHOOLWACHT_DISCORD_TOKEN"  # where the root reads the token from
TOKEN_FILE_ENV = "SCHOOLWACHT_DISCORD_TOKEN_FILE"


class DiscordConfigError(AdapterConfigError):
    """The Discord settings cannot work; the message says which setting and why."""


class TokenError(DiscordConfigError):
    """The Discord token is missing, given twice, or unreadable."""


@dataclass(frozen=True, slots=True)
class DiscordConfig:
    guild_id: int  # the school's server
    staff_role_id: int  # members with this role may post in announcement channels
    review_channel_id: int | None = None  # leadership's overview of every card (school leadership only)
    guild_ready_timeout: float = 2.0  # discord.py waits this long for guilds after READY
    ready_timeout: float = 30.0  # how long `start` waits for the gateway before giving up
    sync_commands: bool = True  # register "Report to school" and /report in the guild at start
    max_message_cache: int = 1000  # discord.py's message cache (edits of older messages come as raw events)
    # Longest wait on a 429 (discord.py allows no less than 30 s). A shared limit can ask for ~1,337 s: longer waits
    # fail the action (recorded on the incident, with a log line) instead of stalling every message behind it.
    max_rate_limit_wait: float = 60.0
    backfill_limit: int = 200  # missed messages judged per channel after a fresh gateway session, oldest first
    audit_log_wait: float = 3.0  # how long a drift waits for its own audit-log entry (Discord lists them late)
    member_list_wait: float = 65.0  # how long to wait for the member list (Discord limits its requests to 1 per 30 s)
    # The bot itself posts in announcement channels (the timetable relay): R10's overwrites then allow it too.
    bot_posts_announcements: bool = False
    # Notices and cards at most this many requests per second (a burst of `delivery_burst` at once): Discord allows
    # a bot about 50 per second over everything, and what is left of that is kept for deletions. 0: not paced.
    delivery_rate: float = 30.0
    delivery_burst: int = 10
