"""Commands typed in a DM with the bot (a teacher's `!mededeling`): the reply goes back in the same DM."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import discord

from moderation.model import Platform

log = logging.getLogger(__name__)

DirectCommands = Callable[[Platform, str, str, str], Awaitable[str | None]]  # (platform, account, text, id) → reply


async def answer_direct(msg: discord.Message, commands: DirectCommands) -> None:
    if msg.author.bot or msg.edited_at is not None:  # an edited command is not a new one
        return
    try:
        reply = await commands(Platform.DISCORD, str(msg.author.id), msg.content, str(msg.id))
    except Exception:
        log.exception("the DM command %s failed", msg.id)
        return
    if reply is None:
        return
    try:
        await msg.channel.send(reply[:2000], allowed_mentions=discord.AllowedMentions.none())
    except discord.HTTPException as exc:
        log.warning("the answer to DM command %s could not be sent: %s", msg.id, exc)
