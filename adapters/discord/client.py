"""The Discord adapter: discord.py's client, events translated at the edge and handed to the Moderator.

start: login → gateway → permission check (stop with a clear message when anything is missing) → report commands →
the member list → reconcile the announcement channels → judge what was posted while the bot was away (backfill).
Then: messages and edits are judged, CHANNEL_UPDATEs re-check R10. After a reconnect the announcement channels are
checked again: after a RESUME (discord.py fires `resumed`; Discord replays the missed events, which are judged as
they come) and after a fresh session (`ready`; nothing is replayed, so the backfill runs again).
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Iterable
from datetime import UTC, datetime

import discord
from discord import app_commands

from adapters.discord.backfill import ChannelCursors, backfill
from adapters.discord.card_port import KEYS
from adapters.discord.commands import install_report_commands
from adapters.discord.config import DiscordConfig
from adapters.discord.desk_login import install_login_command
from adapters.discord.direct import DirectCommands, answer_direct
from adapters.discord.drift import AnnouncementGuard
from adapters.discord.enforcer import DiscordEnforcer
from adapters.discord.gateway import guard_parsers, intents, wait_ready
from adapters.discord.in_flight import InFlight
from adapters.discord.linking import LinkHandler, install_link_commands
from adapters.discord.members import MemberList
from adapters.discord.reads import answer_read, is_read_press
from adapters.discord.review import DiscordReview, ReviewSetup
from adapters.discord.startup_checks import check_overview_audience, check_permissions
from adapters.discord.translate import (
    NotAMessage,
    edit_to_message,
    member_change,
    room_of,
    thread_name_message,
    to_message,
)
from adapters.web.chat_login import LinkFor
from moderation.announcements.reads import ConfirmRead
from moderation.digest import Digest
from moderation.incidents.card_locations import CardLocations
from moderation.incidents.review import ReviewResult
from moderation.model import MemberChangeKind, Message, Person, Platform
from moderation.pipeline import Moderator, Stopping
from moderation.ports import StateStore

log = logging.getLogger(__name__)


class DiscordAdapter:
    platform = Platform.DISCORD

    def __init__(
        self, config: DiscordConfig, token: str, *, review: ReviewSetup | None = None, state: StateStore | None = None
    ) -> None:
        self._config = config
        self._token = token
        self._review_setup = review
        self._state = state if state is not None else review.state if review is not None else None
        # The last handled message per channel (for the backfill); without a state table nothing is caught up.
        self._cursors = ChannelCursors(self._state) if self._state is not None else None
        self._members: MemberList | None = None
        self._parents: dict[int, int] = {}  # thread → channel, for threads not in discord.py's cache
        self._review: DiscordReview | None = None  # reviewers' cards with buttons, their DMs, the digest
        self._client: discord.Client | None = None
        self._task: asyncio.Task[None] | None = None
        self._moderator: Moderator | None = None
        self._in_flight = InFlight()  # new messages being judged: their edits wait for them
        self._enforcer: DiscordEnforcer | None = None
        self._guard: AnnouncementGuard | None = None
        self._running = False  # set once start() has finished
        self._gateway_up = False  # between the gateway's connect and disconnect
        self.direct_commands: DirectCommands | None = None  # set before start: commands in DMs with the bot
        self.desk_login: tuple[LinkFor, int] | None = None  # `/login` for the review desk: links, minutes valid
        self.link_commands: LinkHandler | None = None  # set before start: /koppel and /ontkoppel
        self.read_confirmations: ConfirmRead | None = None  # set before start: "Gelezen ✓" on announcements

    @property
    def client(self) -> discord.Client:
        if self._client is None:
            raise RuntimeError("the Discord adapter is not started")
        return self._client

    async def start(self, moderator: Moderator) -> None:
        cfg = self._config
        client = discord.Client(
            intents=intents(),
            guild_ready_timeout=cfg.guild_ready_timeout,
            max_messages=cfg.max_message_cache,
            max_ratelimit_timeout=cfg.max_rate_limit_wait,
        )
        self._members = MemberList(client)
        guard_parsers(client)
        enforcer = DiscordEnforcer(client, cfg, moderator)
        if self._review_setup is not None:
            self._review = enforcer.review = DiscordReview(client, self._review_setup, moderator.texts)
        self._client, self._moderator, self._enforcer = client, moderator, enforcer
        self._guard = AnnouncementGuard(client, cfg, moderator, enforcer, self._state)
        tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)
        install_report_commands(tree, cfg.guild_id, moderator, lambda: enforcer, self._fetch_message)
        if self.desk_login is not None:
            install_login_command(tree, cfg.guild_id, moderator.texts, *self.desk_login)
        if self.link_commands is not None:
            install_link_commands(tree, cfg.guild_id, self.link_commands, moderator.texts)
        self._listen(client)
        try:
            await client.login(self._token)
            self._task = asyncio.create_task(client.connect(reconnect=True), name="discord-gateway")
            assert self._task is not None
            await wait_ready(client, self._task, cfg.ready_timeout)
            check_permissions(client, cfg, moderator)
            if cfg.sync_commands:
                await tree.sync(guild=discord.Object(id=cfg.guild_id))
            await self._load_members()
            check_overview_audience(client, cfg, self._review)
        except BaseException:
            await self.stop()
            raise
        await self.reconcile()
        await moderator.resume(Platform.DISCORD, enforcer)  # what a crash or a stop left undone, before new events
        await self.catch_up()
        self._running = True
        log.info("Discord adapter running as %s in guild %s", client.user, cfg.guild_id)

    async def check(self, moderator: Moderator) -> None:
        """For `schoolwacht doctor`: log in, wait for the gateway and check every permission, as `start` does, but
        act on nothing; then disconnect. Raises what `start` would (a refused token, missing permissions)."""
        client = discord.Client(intents=intents(), guild_ready_timeout=self._config.guild_ready_timeout)
        self._client, self._moderator = client, moderator
        try:
            await client.login(self._token)
            self._task = asyncio.create_task(client.connect(reconnect=False), name="discord-check")
            await wait_ready(client, self._task, self._config.ready_timeout)
            check_permissions(client, self._config, moderator)
        finally:
            await self.stop()

    async def _load_members(self) -> None:
        guild = self.client.get_guild(self._config.guild_id)
        if guild is None or self._members is None or self._guard is None:
            return
        self._guard.members_known = await self._members.loaded(guild, self._config.member_list_wait)

    def _listen(self, client: discord.Client) -> None:
        @client.event
        async def on_connect() -> None:
            self._gateway_up = True

        @client.event
        async def on_disconnect() -> None:
            self._gateway_up = False

        @client.event
        async def on_ready() -> None:
            # A fresh session after a reconnect: Discord replays nothing, so whatever changed or was posted during
            # the outage was never announced. Check the settings and judge what came in meanwhile.
            if self._running:
                log.info("Discord gateway ready again (new session): re-checking and catching up")
                await self._load_members()
                await self.reconcile()
                await self.catch_up()

        @client.event
        async def on_resumed() -> None:
            # Discord replayed the missed events (judged as they came); a change that came without an event (or
            # whose event was dropped) is found by checking the settings again.
            self._gateway_up = True
            if self._running:
                log.info("Discord session resumed: re-checking the announcement channels")
                await self.reconcile()

        # R7 fictitious senders: a new member's name, and every change of the name others see.
        @client.event
        async def on_member_join(member: discord.Member) -> None:
            if member.guild.id == self._config.guild_id:
                await self._judge_member(member, MemberChangeKind.JOINED)

        @client.event
        async def on_member_update(before: discord.Member, after: discord.Member) -> None:
            if after.guild.id == self._config.guild_id and before.display_name != after.display_name:
                await self._judge_member(after, MemberChangeKind.RENAMED)

        @client.event
        async def on_user_update(before: discord.User, after: discord.User) -> None:
            guild = self.client.get_guild(self._config.guild_id)
            member = guild.get_member(after.id) if guild is not None else None
            if member is not None and before.display_name != after.display_name and member.nick is None:
                await self._judge_member(member, MemberChangeKind.RENAMED)

        @client.event
        async def on_thread_create(thread: discord.Thread) -> None:
            if thread.guild.id == self._config.guild_id:
                await self._judge_thread_name(thread)

        @client.event
        async def on_thread_update(before: discord.Thread, after: discord.Thread) -> None:
            if after.guild.id == self._config.guild_id and before.name != after.name:
                await self._judge_thread_name(after)

        @client.event
        async def on_message(msg: discord.Message) -> None:
            if self._ours(msg):
                with self._in_flight.judging(msg.id):
                    await self._judge(msg, edit=False)
            elif msg.guild is None and self.direct_commands is not None:
                await answer_direct(msg, self.direct_commands)

        # The raw event fires for cached and uncached messages alike, so this one handler judges every edit
        # (on_message_edit would miss messages from before the bot's cache).
        @client.event
        async def on_raw_message_edit(payload: discord.RawMessageUpdateEvent) -> None:
            msg, before = payload.message, payload.cached_message
            if before is not None and before.content == msg.content and before.edited_at == msg.edited_at:
                return  # an embed or flag update of a cached message, not a new text
            if self._ours(msg):
                await self._in_flight.after(msg.id)  # an edit after its original
                await self._judge(msg, edit=True)

        @client.event
        async def on_guild_channel_update(before: discord.abc.GuildChannel, after: discord.abc.GuildChannel) -> None:
            if self._guard is not None and after.guild.id == self._config.guild_id:
                policy = self._guard.policy_for(after.id)
                if policy is not None:
                    await self._guard.check(after, policy)

        @client.event
        async def on_interaction(interaction: discord.Interaction) -> None:
            # Application commands are the command tree's; buttons, menus and modals of the review cards are ours,
            # and the "Gelezen ✓" button of announcements.
            if self.read_confirmations is not None and self._moderator is not None and is_read_press(interaction):
                try:
                    await answer_read(interaction, self.read_confirmations, self._moderator.texts.announcements)
                except Exception:
                    log.exception("the read press %s failed", interaction.id)
                return
            if self._review is not None:
                try:
                    await self._review.handle(interaction)
                except Exception:
                    log.exception("the review press %s failed", interaction.id)

        @client.event
        async def on_guild_channel_delete(channel: discord.abc.GuildChannel) -> None:
            if self._guard is not None and self._guard.policy_for(channel.id) is not None:
                log.error("announcement channel #%s (%s) was deleted", channel.name, channel.id)

    def _ours(self, msg: discord.Message) -> bool:
        me = self.client.user
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
        if review is None or self._moderator is None or room_of(msg.channel) != review:
            return False
        return all(policy.room.id != str(review) for policy in self._moderator.rooms(Platform.DISCORD))

    async def _judge_member(self, member: discord.Member, kind: MemberChangeKind) -> None:
        if self._moderator is None or self._enforcer is None or member.bot:
            return
        change = member_change(member, kind, datetime.now(UTC))
        await self._moderator.handle_member(change, self._enforcer)

    async def _judge(self, msg: discord.Message, *, edit: bool) -> None:
        assert self._moderator is not None and self._enforcer is not None
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

    async def _judge_thread_name(self, thread: discord.Thread) -> None:
        """A thread's name is read by everyone who sees the channel: it is judged like a message."""
        assert self._moderator is not None and self._enforcer is not None
        me = self.client.user
        if me is not None and thread.owner_id == me.id:
            return
        try:
            await self._moderator.handle(thread_name_message(thread), self._enforcer)
        except Exception:
            log.exception("the moderator failed on the name of thread %s", thread.id)

    async def _room_for(self, channel: object) -> int:
        """The channel whose policy applies. A thread that is not in discord.py's cache (archived when the bot
        connected, then woken by this message) comes as a bare channel id: ask Discord for its parent once."""
        if not isinstance(channel, discord.PartialMessageable):
            return room_of(channel)
        if channel.id in self._parents:
            return self._parents[channel.id]
        try:
            fetched = await self.client.fetch_channel(channel.id)
        except discord.HTTPException as exc:
            log.warning("cannot read channel %s to find its parent: %s", channel.id, exc)
            return channel.id
        parent = room_of(fetched)
        self._parents[channel.id] = parent
        return parent

    async def catch_up(self) -> None:
        """Judge what was posted in every watched channel (and its threads) since the last handled message."""
        cursors = self._cursors
        guild = self.client.get_guild(self._config.guild_id)
        if cursors is None or guild is None or self._moderator is None:
            return
        now = discord.utils.time_snowflake(discord.utils.utcnow())
        for policy in self._moderator.rooms(Platform.DISCORD):
            if policy.room.id.isdigit():
                cursors.seed(int(policy.room.id), now)  # the first start: watch from here on
        places: dict[int, discord.abc.Messageable] = {c.id: c for c in guild.text_channels}
        places |= {t.id: t for t in guild.threads}
        judged = 0
        for channel_id, after in sorted(cursors.channels(set(places)).items()):
            channel = places[channel_id]
            try:
                judged += await backfill(channel, after, self._config.backfill_limit, self._judge_backfilled)
            except discord.HTTPException as exc:
                log.warning("could not catch up on channel %s: %s", channel_id, exc)
        if judged:
            log.info("caught up on %d message(s) posted while the bot was away", judged)

    async def _judge_backfilled(self, msg: discord.Message) -> None:
        if self._ours(msg):
            await self._judge(msg, edit=False)

    async def _fetch_message(self, channel_id: int, message_id: int) -> discord.Message:
        channel = self.client.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            raise ValueError("that channel is not a text channel of this server")
        return await channel.fetch_message(message_id)

    async def send_digest(self, reviewer: Person, digest: Digest) -> bool:
        """The daily digest as a DM; False when the review side is off, the adapter is not running, the reviewer
        has no Discord account, or their DMs are closed (the scheduler then tries another platform)."""
        if self._review is None or not self._running:
            return False
        return await self._review.send_digest(reviewer, digest)

    async def withdraw_cards(self, incident_ids: Iterable[int]) -> int:
        """Clear the Discord cards (DMs and overview) of these incidents; for the retention job and privacy erase,
        so an erased excerpt does not live on in chat. Returns how many cards were cleared. Raises, after trying
        all, when a card is left (the caller keeps it queued and tries again)."""
        numbers = list(incident_ids)
        if self._review is None:
            setup = self._review_setup
            if setup is not None and any(CardLocations(setup.state, KEYS).of(n) for n in numbers):
                raise RuntimeError("the Discord adapter is not running; its cards are cleared later")
            return 0
        cleared = sum([await self._review.withdraw(n) for n in numbers])
        left = [n for n in numbers if self._review.ledger.copies(n)]
        if left:
            raise RuntimeError(f"Discord cards of incident(s) {left} could not be cleared yet")
        return cleared

    async def follow_review(self, result: ReviewResult) -> list[str]:
        """After a change made on the desk: every Discord copy of the card follows, as after a press."""
        if self._review is None:
            return []
        return await self._review.ledger.follow(result)

    def connected(self) -> bool:
        client = self._client
        return (
            self._running and client is not None and client.is_ready() and not client.is_closed() and self._gateway_up
        )

    def sync_lag(self) -> float | None:
        """The gateway's heartbeat round trip: Discord pushes every event, so this is how far behind the bot is."""
        if self._client is None or not self._running:
            return None
        latency = self._client.latency
        return latency if math.isfinite(latency) else None

    async def reconcile(self) -> None:
        if self._guard is not None:
            await self._guard.reconcile()

    async def wait_closed(self) -> None:
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    async def stop(self) -> None:
        self._running = False
        if self._members is not None:
            self._members.close()
        if self._cursors is not None:
            await self._cursors.flush()
        if self._client is not None and not self._client.is_closed():
            await self._client.close()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
        elif self._client is not None:
            await self._client.close()
