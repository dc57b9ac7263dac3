"""`/login` on Discord: a one-time link to the review desk, answered only to the reviewer who asked (ephemeral)."""

from __future__ import annotations

import asyncio

import discord
from discord import app_commands

from adapters.web.chat_login import LinkFor, login_answer
from moderation.model import AccountId, Platform
from moderation.texts import Phrase, Texts


def install_login_command(
    tree: app_commands.CommandTree[discord.Client], guild_id: int, texts: Texts, links: LinkFor, minutes: int
) -> None:
    @app_commands.command(name="login", description=texts.phrase(Phrase.LOGIN_COMMAND))
    async def login(interaction: discord.Interaction) -> None:
        account = AccountId(str(interaction.user.id))
        answer = await asyncio.to_thread(lambda: login_answer(links(Platform.DISCORD, account), minutes, texts))
        await interaction.response.send_message(answer, ephemeral=True)

    tree.add_command(login, guild=discord.Object(id=guild_id))
