"""Presses that are not the command tree's: the "Gelezen ✓" button of announcements, and the review cards'
buttons, menus and forms; and the commands typed in a DM with the bot."""

from __future__ import annotations

import logging

import discord

from adapters.discord.direct import DirectCommands, answer_direct
from adapters.discord.reads import answer_read, is_read_press
from adapters.discord.review import DiscordReview
from moderation.announcements.reads import PressRead
from moderation.texts import AnnouncementTexts

log = logging.getLogger(__name__)


async def route_press(
    interaction: discord.Interaction,
    reads: PressRead | None,
    texts: AnnouncementTexts,
    review: DiscordReview | None,
) -> None:
    """A read press goes to the read confirmations; any other to the review (which ignores what is not its own)."""
    if reads is not None and is_read_press(interaction):
        try:
            await answer_read(interaction, reads, texts)
        except Exception:
            log.exception("the read press %s failed", interaction.id)
        return
    if review is not None:
        try:
            await review.handle(interaction)
        except Exception:
            log.exception("the review press %s failed", interaction.id)


async def direct_message(msg: discord.Message, commands: DirectCommands | None) -> None:
    """A message in a DM with the bot: a command, when the DM commands are on."""
    if msg.guild is None and commands is not None:
        await answer_direct(msg, commands)
