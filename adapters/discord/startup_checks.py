"""The checks at start: is the bot in the guild with every permission it needs in every channel, and is the review
channel (every incident) readable by school leadership only."""

from __future__ import annotations

import logging

import discord

from adapters.discord.config import DiscordConfig, DiscordConfigError
from adapters.discord.gateway import DiscordStartError
from adapters.discord.permissions import ChannelCheck, ChannelUse, MissingPermissionsError, explain, problems
from adapters.discord.review import DiscordReview
from moderation.model import Platform
from moderation.pipeline import Moderator

log = logging.getLogger(__name__)


def check_permissions(client: discord.Client, config: DiscordConfig, moderator: Moderator) -> None:
    """Every permission the bot needs in the guild and in each configured channel, or a clear error naming them."""
    guild = client.get_guild(config.guild_id)
    me = guild.me if guild is not None else None
    if guild is None or me is None:
        raise DiscordStartError(f"the bot is not a member of guild {config.guild_id}")
    checks: list[ChannelCheck] = []
    review = config.review_channel_id
    wanted = [] if review is None else [(review, "review channel", ChannelUse.REVIEW)]
    for policy in moderator.rooms(Platform.DISCORD):
        use = ChannelUse.ANNOUNCEMENT if policy.is_announcement else ChannelUse.MODERATED
        if not (policy.room.id.isascii() and policy.room.id.isdigit()):
            raise DiscordConfigError(
                f"room {policy.room.name!r}: a Discord channel id is a number (right-click the channel, "
                f"Copy Channel ID), not {policy.room.id!r}"
            )
        wanted.append((int(policy.room.id), policy.room.name, use))
    for channel_id, name, use in wanted:
        channel = guild.get_channel(channel_id)
        perms = channel.permissions_for(me).value if channel is not None else None
        category = grant_base(channel, me) if use is ChannelUse.ANNOUNCEMENT else None
        checks.append(ChannelCheck(channel_id, channel.name if channel else name, use, perms, category))
    found = problems(me.guild_permissions.value, checks)
    if found:
        raise MissingPermissionsError(explain(found))
    staff = guild.get_role(config.staff_role_id)
    if staff is None:
        log.warning("the staff role %s does not exist: nobody may post in announcement channels", staff)
    elif staff.permissions.administrator:
        log.warning("the staff role %s has Administrator, which bypasses every channel overwrite (R10)", staff)


def check_overview_audience(client: discord.Client, config: DiscordConfig, cards: DiscordReview | None) -> None:
    """The review channel shows every incident: it must be school leadership's only (see review.py). Say so
    loudly at start when others can read it; the DM cards keep working either way."""
    review = config.review_channel_id
    channel = client.get_channel(review) if review is not None else None
    if cards is None or not isinstance(channel, discord.abc.GuildChannel):
        return
    readers = cards.overview_readers(channel)
    if readers:
        log.warning(
            "the review channel #%s can be read by %d member(s) who are not school leadership: %s. It shows "
            "every student's incidents (AVG): allow View Channel there for school leadership and the bot only",
            channel.name,
            len(readers),
            ", ".join(readers[:20]),
        )


def grant_base(channel: discord.abc.GuildChannel | None, me: discord.Member) -> tuple[str, int] | None:
    """What the bot may set in `channel`'s overwrites, when a category decides it (see permissions.py): None
    without a category, or when the bot has its own Manage Permissions overwrite in the channel."""
    if channel is None or channel.category is None:
        return None
    for target, overwrite in channel.overwrites.items():
        mine = target.id == me.id or any(target.id == role.id for role in me.roles)
        if mine and overwrite.manage_roles:
            return None
    return channel.category.name, channel.category.permissions_for(me).value
