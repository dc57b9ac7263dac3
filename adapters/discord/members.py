"""The member list, which the staff-role and roster checks read from discord.py's cache.

Without the presences intent Discord sends only the bot itself in the guild's initial data, so discord.py asks for
the whole list (REQUEST_GUILD_MEMBERS) at every fresh session. Discord allows that once per guild every 30 seconds and
answers a repeat with a RATE_LIMITED event, which discord.py 2.7 does not handle: it waits a few seconds for the
chunks that never come and starts with an almost empty member cache. Here the request is sent again, with the same
nonce (so discord.py's pending request fills the cache), once Discord's wait is over.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord

log = logging.getLogger(__name__)

REQUEST_GUILD_MEMBERS = 8
MAX_RETRIES = 5


class MemberList:
    def __init__(self, client: discord.Client) -> None:
        self._client = client
        self._retries: dict[int, int] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        client._connection.parsers["RATE_LIMITED"] = self._on_rate_limited

    def _on_rate_limited(self, data: Any) -> None:
        if not isinstance(data, dict) or data.get("opcode") != REQUEST_GUILD_MEMBERS:
            log.warning("Discord rate-limited a gateway request: %s", data)
            return
        raw_meta = data.get("meta")
        meta: dict[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
        guild_id = int(meta.get("guild_id") or 0)
        wait = float(data.get("retry_after") or 1.0)
        tries = self._retries.get(guild_id, 0) + 1
        self._retries[guild_id] = tries
        if tries > MAX_RETRIES:
            log.error("Discord keeps refusing the member list of guild %s; staff checks may miss members", guild_id)
            return
        log.warning("Discord asks to wait %.1fs before sending the member list of guild %s again", wait, guild_id)
        task = asyncio.get_running_loop().create_task(self._ask_again(guild_id, meta.get("nonce"), wait))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _ask_again(self, guild_id: int, nonce: object, wait: float) -> None:
        await asyncio.sleep(wait)
        ws = self._client.ws
        if ws is None:
            return
        try:
            await ws.request_chunks(guild_id, query="", limit=0, nonce=str(nonce) if nonce else None)
        except Exception as exc:
            log.warning("could not ask for the member list of guild %s again: %s", guild_id, exc)

    async def loaded(self, guild: discord.Guild, timeout: float) -> bool:
        """Wait (at most `timeout` s) until every member is in the cache; False (with a warning) when not."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not guild.chunked:
            if loop.time() > deadline:
                log.warning(
                    "the member list of %s is incomplete (%d of %s): member overwrites are left alone until it is",
                    guild.name,
                    len(guild.members),
                    guild.member_count,
                )
                return False
            await asyncio.sleep(0.05)
        self._retries.pop(guild.id, None)
        return True

    def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
