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
from moderation.texts import Phrase

log = logging.getLogger(__name__)


async def _report(
    interaction: discord.Interaction, target: discord.Message, reason: str, moderator: Moderator, enforcer: Enforcer
) -> None:
    word = moderator.texts.phrase
    try:
        message = to_message(target)
    except NotAMessage as exc:
        log.info("report of %s refused: %s", target.id, exc)
        why = word(Phrase.REPORT_NOT_A_POST)
        await interaction.response.send_message(word(Phrase.REPORT_REFUSED).format(why=why), ephemeral=True)
        return
    # Recording the report and bringing its card to every reviewer may take longer than the 3 s Discord waits for
    # an answer: answer "thinking…" (only the reporter sees it) first, then the outcome.
    try:
        await interaction.response.defer(ephemeral=True, thinking=True)
    except discord.HTTPException as exc:  # the interaction expired already: record the report all the same
        log.warning("report interaction %s could not be answered: %s", interaction.id, exc)
    try:
        await moderator.report(message, AccountId(str(interaction.user.id)), reason, enforcer)
        text = word(Phrase.REPORT_THANKS)
    except Exception:
        log.exception("the report of message %s could not be recorded", target.id)
        text = word(Phrase.REPORT_FAILED)
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
    word = moderator.texts.phrase

    async def report_menu(interaction: discord.Interaction, message: discord.Message) -> None:
        await _report(interaction, message, "", moderator, enforcer())

    tree.add_command(app_commands.ContextMenu(name=word(Phrase.REPORT_MENU), callback=report_menu), guild=guild)

    @app_commands.command(name="report", description=word(Phrase.REPORT_DESCRIPTION))
    @app_commands.describe(link=word(Phrase.REPORT_LINK), reason=word(Phrase.REPORT_REASON))
    async def report_slash(interaction: discord.Interaction, link: str, reason: str = "") -> None:
        target = await _target(link)
        if isinstance(target, Phrase):
            await interaction.response.send_message(
                word(Phrase.REPORT_NOT_FOUND).format(why=word(target)), ephemeral=True
            )
            return
        await _report(interaction, target, reason[:500], moderator, enforcer())

    async def _target(link: str) -> discord.Message | Phrase:
        """The linked message, or why it cannot be reported (the details, in English, go to the log)."""
        try:
            where = parse_jump_link(link)
        except ValueError as exc:
            log.info("report by link refused: %s", exc)
            return Phrase.REPORT_BAD_LINK
        if where.guild_id != guild_id:
            return Phrase.REPORT_OTHER_SERVER
        try:
            return await fetch(where.channel_id, where.message_id)
        except discord.HTTPException as exc:
            log.info("report by link: message %s could not be fetched: %s", where.message_id, exc)
            return Phrase.REPORT_UNREACHABLE

    tree.add_command(report_slash, guild=guild)
