"""`/koppel <nummer of code>` and `/ontkoppel`: self-service linking of a Discord account. Only the person who
typed it sees the answer (ephemeral), and the option's value is never shown in the channel."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import discord
from discord import app_commands

from moderation.model import Platform
from moderation.texts import Phrase, Texts

log = logging.getLogger(__name__)

# (platform, account, the command as text, the interaction's id) → the answer; the linking service's `handle`.
LinkHandler = Callable[[Platform, str, str, str], Awaitable[str | None]]


async def _answer(interaction: discord.Interaction, handle: LinkHandler, text: str) -> None:
    reply = await handle(Platform.DISCORD, str(interaction.user.id), text, str(interaction.id))
    try:
        await interaction.response.send_message(reply or "", ephemeral=True)
    except discord.HTTPException as exc:
        log.warning("link interaction %s could not be answered: %s", interaction.id, exc)


def install_link_commands(
    tree: app_commands.CommandTree[discord.Client], guild_id: int, handle: LinkHandler, texts: Texts
) -> None:
    guild = discord.Object(id=guild_id)
    word = texts.phrase

    @app_commands.command(name="koppel", description=word(Phrase.LINK_COMMAND))
    @app_commands.describe(nummer_of_code=word(Phrase.LINK_OPTION))
    async def koppel(interaction: discord.Interaction, nummer_of_code: str) -> None:
        await _answer(interaction, handle, f"/koppel {nummer_of_code[:64]}")

    @app_commands.command(name="ontkoppel", description=word(Phrase.UNLINK_COMMAND))
    async def ontkoppel(interaction: discord.Interaction) -> None:
        await _answer(interaction, handle, "/ontkoppel")

    tree.add_command(koppel, guild=guild)
    tree.add_command(ontkoppel, guild=guild)
