"""The gateway connection: the intents the bot asks for, parsers that survive a malformed payload, and waiting for
READY with an error an admin can act on."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import discord

from adapters.base import AdapterStartError

log = logging.getLogger(__name__)


class DiscordStartError(AdapterStartError):
    """The adapter could not start: no gateway, not in the guild, ..."""


def intents() -> discord.Intents:
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.dm_messages = True  # a teacher's announcement commands in a DM with the bot
    wanted.message_content = True
    wanted.members = True
    return wanted


def guard_parsers(client: discord.Client) -> None:
    """A malformed gateway payload makes discord.py's parser raise, which would end `connect()` and the bot with
    it. Drop such a payload with a clear log line instead."""
    parsers: dict[str, Callable[[Any], None]] = client._connection.parsers

    def guarded(event: str, parse: Callable[[Any], None]) -> Callable[[Any], None]:
        def run(data: Any) -> None:
            try:
                parse(data)
            except Exception as exc:
                ident = data.get("id") if isinstance(data, dict) else None
                log.warning("dropped a malformed %s payload (id %s): %s: %s", event, ident, type(exc).__name__, exc)

        return run

    for event, parse in list(parsers.items()):
        parsers[event] = guarded(event, parse)


async def wait_ready(client: discord.Client, gateway: asyncio.Task[None], timeout: float) -> None:
    """Wait for READY; a gateway that ends first (refused intents) or a timeout is a clear DiscordStartError."""
    ready = asyncio.create_task(client.wait_until_ready())
    done, _ = await asyncio.wait({ready, gateway}, timeout=timeout, return_when="FIRST_COMPLETED")
    if ready not in done:
        ready.cancel()
        failure = gateway.exception() if gateway in done else None
        if isinstance(failure, discord.PrivilegedIntentsRequired):
            raise DiscordStartError(
                "Discord refused the bot's intents: switch on 'Message Content Intent' and 'Server Members "
                "Intent' for this bot in the Discord Developer Portal (Bot page)"
            ) from failure
        raise DiscordStartError(f"the Discord gateway did not become ready: {failure or 'timed out'}") from failure
