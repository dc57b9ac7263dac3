"""The Discord adapter (discord.py): translate at the edge, judge in the core, act through `DiscordEnforcer`."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adapters.discord.client import DiscordAdapter
    from bot.app import Core


def build_adapter(core: Core) -> DiscordAdapter:
    """The adapter from the `[discord]` settings and the token from SCHOOLWACHT_DISCORD_TOKEN(_FILE), with the review
    side (reviewers' cards with buttons by DM, the digest) on the core's database."""
    from adapters.discord.client import DiscordAdapter
    from adapters.discord.config import DiscordConfig, DiscordConfigError, read_token
    from adapters.discord.review import ReviewSetup
    from moderation.incidents.review import ReviewService

    settings = core.settings.discord
    if settings is None:
        raise DiscordConfigError("platform 'discord' is enabled but the [discord] settings are missing")
    config = DiscordConfig(
        guild_id=settings.guild_id,
        staff_role_id=settings.staff_role_id,
        review_channel_id=settings.review_channel_id,
        bot_posts_announcements=core.settings.zermelo is not None,
    )
    service = ReviewService(core.sessions, lambda: core.directory, core.clock)
    review = ReviewSetup(service, lambda: core.directory, core.state)
    return DiscordAdapter(config, read_token(os.environ), review=review, state=core.state)
