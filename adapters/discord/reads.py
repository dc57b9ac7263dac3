"""Read confirmations ("Gelezen ✓") on Discord: a teacher's announcement that asks for one carries a button; a
press by a reader is counted once, and a second press takes it back (the core decides, `ReadConfirmations.press`);
each press is answered privately: nobody else sees who read it."""

from __future__ import annotations

import logging
from typing import Any

import discord

from moderation.announcements.reads import PressRead
from moderation.model import Platform
from moderation.texts import AnnouncementTexts

log = logging.getLogger(__name__)

READ_CUSTOM_ID = "schoolwacht:gelezen"  # not the review cards' "sw:" prefix: their presses are the review's


def read_view(label: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label=label, style=discord.ButtonStyle.success, custom_id=READ_CUSTOM_ID))
    return view


def is_read_press(interaction: discord.Interaction) -> bool:
    data: dict[str, Any] = dict(interaction.data or {})
    return interaction.type is discord.InteractionType.component and data.get("custom_id") == READ_CUSTOM_ID


async def answer_read(interaction: discord.Interaction, press: PressRead, say: AnnouncementTexts) -> None:
    """A press on the button of a post: counted, taken back (or neither) by the core; the presser alone hears the
    outcome."""
    message = interaction.message
    if message is None or interaction.channel_id is None:
        return
    outcome = press(Platform.DISCORD, str(interaction.channel_id), str(message.id), str(interaction.user.id))
    try:
        await interaction.response.send_message(say.read_reply(outcome), ephemeral=True)
    except discord.HTTPException as exc:  # too late or answered already: the read is counted all the same
        log.warning("the read press %s was not answered: %s", interaction.id, exc)


def audience_of(channel: object, excluding: frozenset[str]) -> int | None:
    """The members who can read the channel (discord.py's member cache), bots and `excluding` left out."""
    if not isinstance(channel, discord.TextChannel):
        return None
    return len([m for m in channel.members if not m.bot and str(m.id) not in excluding])
