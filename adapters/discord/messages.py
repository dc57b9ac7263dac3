"""What people post, to the Moderator: new messages, edits (after their original), members' names, thread names,
and after a fresh gateway session whatever was posted while the bot was away (the backfill)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import discord

from adapters.discord.backfill import ChannelCursors, backfill
from adapters.discord.config import DiscordConfig
from adapters.discord.enforcer import DiscordEnforcer
from adapters.discord.in_flight import InFlight
from adapters.discord.translate import (
    NotAMessage,
    edit_to_message,
    member_change,
    room_of,
    thread_name_message,
    to_message,
)
from moderation.model import MemberChangeKind, Message, Platform
from moderation.pipeline import Moderator, Stopping

log = logging.getLogger(__name__)


class MessageJudge:
    def __init__(
        self,
        client: discord.Client,
        config: DiscordConfig,
        moderator: Moderator,
        enforcer: DiscordEnforcer,
        cursors: ChannelCursors | None,
    ) -> None:
        self._client = client
        self._config = config
        self._moderator = moderator
        self._enforcer = enforcer
        # The last handled message per channel (for the backfill); without a state table nothing is caught up.
        self._cursors = cursors
        self._in_flight = InFlight()  # new messages being judged: their edits wait for them
        self._parents: dict[int, int] = {}  # thread → channel, for threads not in discord.py's cache

    def ours(self, msg: discord.Message) -> bool:
        me = self._client.user
        return (
            msg.guild is not None
            and msg.guild.id == self._config.guild_id
            and (me is None or msg.author.id != me.id)
            and not self._in_review_channel(msg)
        )

    def _in_review_channel(self, msg: discord.Message) -> bool:
        """Leadership's overview is no social-media channel: a reviewer quoting the message under review there must
        not become an incident about the reviewer (unless the school configured the channel as a room anyway)."""
        review = self._config.review_channel_id
        if review is None or room_of(msg.channel) != review:
            return False
        return all(policy.room.id != str(review) for policy in self._moderator.rooms(Platform.DISCORD))

    async def new(self, msg: discord.Message) -> None:
        """A message as it comes (entered before the first await, in the order the events arrived)."""
        with self._in_flight.judging(msg.id):
            await self._judge(msg, edit=False)

    async def edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        msg, before = payload.message, payload.cached_message
        if before is not None and before.content == msg.content and before.edited_at == msg.edited_at:
            return  # an embed or flag update of a cached message, not a new text
        if self.ours(msg):
            await self._in_flight.after(msg.id)  # an edit after its original
            await self._judge(msg, edit=True)

    async def member(self, member: discord.Member, kind: MemberChangeKind) -> None:
        if member.bot:
            return
        change = member_change(member, kind, datetime.now(UTC))
        await self._moderator.handle_member(change, self._enforcer)

    async def thread_name(self, thread: discord.Thread) -> None:
        """A thread's name is read by everyone who sees the channel: it is judged like a message."""
        me = self._client.user
        if me is not None and thread.owner_id == me.id:
            return
        try:
            await self._moderator.handle(thread_name_message(thread), self._enforcer)
        except Exception:
            log.exception("the moderator failed on the name of thread %s", thread.id)

    async def _judge(self, msg: discord.Message, *, edit: bool) -> None:
        cursors = self._cursors if not edit else None
        if cursors is not None:
            cursors.started(msg.channel.id, msg.id)
        try:
            room = await self._room_for(msg.channel)
            message: Message = edit_to_message(msg, room) if edit else to_message(msg, room)
        except NotAMessage as exc:
            log.debug("not judged: message %s is %s", msg.id, exc)
            if cursors is not None:
                cursors.finished(msg.channel.id, msg.id)
            return
        except Exception as exc:
            log.warning("could not read message %s in %s: %s: %s", msg.id, msg.channel.id, type(exc).__name__, exc)
            if cursors is not None:
                cursors.finished(msg.channel.id, msg.id)
            return
        self._enforcer.locations.remember(msg.id, msg.channel.id)
        try:
            await self._moderator.handle(message, self._enforcer)
        except Stopping:
            log.info("message %s in %s not judged: the bot is stopping", msg.id, msg.channel.id)
            return  # the cursor stays before it: judged at the next start
        except Exception:
            # The cursor stays before this message, so the next fresh session judges it again.
            log.exception("the moderator failed on Discord message %s in %s", msg.id, msg.channel.id)
            return
        if cursors is not None:
            cursors.finished(msg.channel.id, msg.id)

    async def _room_for(self, channel: object) -> int:
        """The channel whose policy applies. A thread that is not in discord.py's cache (archived when the bot
        connected, then woken by this message) comes as a bare channel id: ask Discord for its parent once."""
        if not isinstance(channel, discord.PartialMessageable):
            return room_of(channel)
        if channel.id in self._parents:
            return self._parents[channel.id]
        try:
            fetched = await self._client.fetch_channel(channel.id)
        except discord.HTTPException as exc:
            log.warning("cannot read channel %s to find its parent: %s", channel.id, exc)
            return channel.id
        parent = room_of(fetched)
        self._parents[channel.id] = parent
        return parent

    async def catch_up(self) -> None:
        """Judge what was posted in every watched channel (and its threads) since the last handled message."""
        cursors = self._cursors
        guild = self._client.get_guild(self._config.guild_id)
        if cursors is None or guild is None:
            return
        now = discord.utils.time_snowflake(discord.utils.utcnow())
        for policy in self._moderator.rooms(Platform.DISCORD):
            if policy.room.id.isdigit():
                cursors.seed(int(policy.room.id), now)  # the first start: watch from here on
        await cursors.flush()  # a crash in the first moments must not move "here" to the next start
        places: dict[int, discord.abc.Messageable] = {c.id: c for c in guild.text_channels}
        places |= {t.id: t for t in guild.threads}
        judged = 0
        for channel_id, after in sorted(cursors.channels(set(places)).items()):
            channel = places[channel_id]
            try:
                judged += await backfill(channel, after, self._config.backfill_limit, self._backfilled)
            except discord.HTTPException as exc:
                log.warning("could not catch up on channel %s: %s", channel_id, exc)
        if judged:
            log.info("caught up on %d message(s) posted while the bot was away", judged)

    async def _backfilled(self, msg: discord.Message) -> None:
        if self.ours(msg):
            await self._judge(msg, edit=False)
