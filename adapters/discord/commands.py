"""The report commands (R5/R7): a message context-menu "Report to school" and `/report <link> [reason]`.

Both answer only the reporter (ephemeral); the reported person never learns who reported them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import discord
from discord import app_commands

from adapters.discord.translate import NotAMessage, parse_jump_link, to_message
from moderation.model import AccountId
from moderation.pipeline import Moderator
from moderation.ports import Enforcer

log = logging.getLogger(__name__)

REPORT_MENU_NAME = "Report to school"
THANKS = "Thank you. Your report went to the school; the person you reported does not see who reported it."
FAILED = "Sorry, the report could not be saved. Please tell a teacher or your mentor."


async def _report(
    interaction: discord.Interaction, target: discord.Message, reason: str, moderator: Moderator, enforcer: Enforcer
) -> None:
    try:
        message = to_message(target)
    except NotAMessage as exc:
        log.info("report of %s refused: %s", target.id, exc)
        await interaction.response.send_message(f"That cannot be reported here: {exc}.", ephemeral=True)
        return
    # Recording the report and bringing its card to every reviewer may take longer than the 3 s Discord waits for
    # an answer: answer "thinking…" (only the reporter sees it) first, then the outcome.
    try:
        await interaction.response.defer(ephemeral=True, thinking=True)
    except discord.HTTPException as exc:  # the interaction expired already: record the report all the same
        log.warning("report interaction %s could not be answered: %s", interaction.id, exc)
    try:
        await moderator.report(message, AccountId(str(interaction.user.id)), reason, enforcer)
        text = THANKS
    except Exception:
        log.exception("the report of message %s could not be recorded", target.id)
        text = FAILED
    try:
        await interaction.followup.send(text, ephemeral=True)
    except discord.HTTPException as exc:
        log.warning("report interaction %s: the answer could not be sent: %s", interaction.id, exc)


def install_report_commands(
    tree: app_commands.CommandTree[discord.Client],
    guild_id: int,
    moderator: Moderator,
    enforcer: Callable[[], Enforcer],
    fetch: Callable[[int, int], Awaitable[discord.Message]],
) -> None:
    guild = discord.Object(id=guild_id)

    async def report_menu(interaction: discord.Interaction, message: discord.Message) -> None:
        await _report(interaction, message, "", moderator, enforcer())

    tree.add_command(app_commands.ContextMenu(name=REPORT_MENU_NAME, callback=report_menu), guild=guild)

    @app_commands.command(name="report", description="Report a message to the school; only you see this")
    @app_commands.describe(link="The message link (right-click the message, Copy Message Link)", reason="What is wrong")
    async def report_slash(interaction: discord.Interaction, link: str, reason: str = "") -> None:
        try:
            where = parse_jump_link(link)
            if where.guild_id != guild_id:
                raise ValueError("that message is not in this server")
            target = await fetch(where.channel_id, where.message_id)
        except (ValueError, discord.HTTPException) as exc:
            await interaction.response.send_message(f"I could not find that message: {exc}", ephemeral=True)
            return
        await _report(interaction, target, reason[:500], moderator, enforcer())

    tree.add_command(report_slash, guild=guild)
