"""The Discord side of announcements: post in a channel, edit the post, delete it — discord.py's own calls, so its
rate limiter waits out 429s (per route and global, up to `max_rate_limit_wait`). Mentions are off: a remark from the
timetable can never ping a whole class. A post that asks for "Gelezen ✓" carries the button (`reads`); an edit of the
text leaves it in place (Discord keeps a message's components unless the edit names them)."""

from __future__ import annotations

import discord

from adapters.discord.client import DiscordAdapter
from adapters.discord.reads import audience_of, read_view
from moderation.model import Platform
from moderation.texts import Phrase, Texts

NO_MENTIONS = discord.AllowedMentions.none()
UNKNOWN_MESSAGE = 10008
HISTORY_LOOKBACK = 50  # recent messages looked at for a post that went out unrecorded


class DiscordAnnouncer:
    platform = Platform.DISCORD
    confirms_reads = True
    read_hint = ""  # the button says it

    def __init__(self, adapter: DiscordAdapter, texts: Texts) -> None:
        self._adapter = adapter
        self._read_button = texts.phrase(Phrase.READ_BUTTON)

    async def post(self, room_id: str, text: str, key: str, *, asks_read: bool = False) -> str:
        channel = self._adapter.client.get_partial_messageable(int(room_id))
        view = read_view(self._read_button) if asks_read else discord.utils.MISSING
        sent = await channel.send(text[:2000], allowed_mentions=NO_MENTIONS, suppress_embeds=True, view=view)
        return str(sent.id)

    async def audience(self, room_id: str, excluding: frozenset[str]) -> int | None:
        return audience_of(self._adapter.client.get_channel(int(room_id)), excluding)

    async def find_posted(self, room_id: str, text: str) -> str | None:
        """Discord has no idempotent send: after an unrecorded try, the channel's recent messages are looked at."""
        client = self._adapter.client
        me = client.user.id if client.user is not None else None
        async for message in client.get_partial_messageable(int(room_id)).history(limit=HISTORY_LOOKBACK):
            if message.author.id == me and message.content == text[:2000]:
                return str(message.id)
        return None

    async def edit(self, room_id: str, message_id: str, text: str) -> None:
        message = self._adapter.client.get_partial_messageable(int(room_id)).get_partial_message(int(message_id))
        await message.edit(content=text[:2000], allowed_mentions=NO_MENTIONS)

    async def retract(self, room_id: str, message_id: str) -> None:
        message = self._adapter.client.get_partial_messageable(int(room_id)).get_partial_message(int(message_id))
        try:
            await message.delete()
        except discord.NotFound as exc:
            if exc.code != UNKNOWN_MESSAGE:
                raise  # deleted by hand already: nothing left to retract

    async def tell(self, account: str, text: str) -> None:
        """A DM to the person (a teacher hears how their announcement went)."""
        client = self._adapter.client
        user = client.get_user(int(account)) or await client.fetch_user(int(account))
        await user.send(text[:2000], allowed_mentions=NO_MENTIONS)
