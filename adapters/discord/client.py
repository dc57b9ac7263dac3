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

import discord
from discord import app_commands

from adapters.discord.backfill import ChannelCursors
from adapters.discord.card_port import KEYS
from adapters.discord.commands import install_report_commands
from adapters.discord.config import DiscordConfig
from adapters.discord.desk_login import install_login_command
from adapters.discord.direct import DirectCommands
from adapters.discord.drift import AnnouncementGuard
from adapters.discord.enforcer import DiscordEnforcer
from adapters.discord.gateway import guard_parsers, intents, wait_ready
from adapters.discord.interactions import direct_message, route_press
from adapters.discord.linking import LinkHandler, install_link_commands
from adapters.discord.members import MemberList
from adapters.discord.messages import MessageJudge
from adapters.discord.review import DiscordReview, ReviewSetup
from adapters.discord.startup_checks import check_overview_audience, check_permissions
from adapters.web.chat_login import LinkFor
from moderation.announcements.reads import PressRead
from moderation.digest import Digest
from moderation.incidents.card_locations import CardLocations
from moderation.incidents.review import ReviewResult
from moderation.model import MemberChangeKind, Person, Platform
from moderation.pipeline import Moderator
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
        self._review: DiscordReview | None = None  # reviewers' cards with buttons, their DMs, the digest
        self._client: discord.Client | None = None
        self._task: asyncio.Task[None] | None = None
        self._moderator: Moderator | None = None
        self._judge: MessageJudge | None = None  # messages, edits, names and the backfill, to the Moderator
        self._enforcer: DiscordEnforcer | None = None
        self._guard: AnnouncementGuard | None = None
        self._running = False  # set once start() has finished
        self._gateway_up = False  # between the gateway's connect and disconnect
        self.direct_commands: DirectCommands | None = None  # set before start: commands in DMs with the bot
        self.desk_login: tuple[LinkFor, int] | None = None  # `/login` for the review desk: links, minutes valid
        self.link_commands: LinkHandler | None = None  # set before start: /koppel and /ontkoppel
        self.read_confirmations: PressRead | None = None  # set before start: "Gelezen ✓" pressed (or pressed again)

    @property
    def client(self) -> discord.Client:
        if self._client is None:
            raise RuntimeError("the Discord adapter is not started")
        return self._client

    @property
    def card_state(self) -> StateStore | None:
        """The state table as the card ledger reads it (None while the review side is off or not started): a change
        to its keys must go through here to be seen."""
        return self._review.state if self._review is not None else None

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
        enforcer = DiscordEnforcer(client, cfg, moderator, self._state)
        if self._review_setup is not None:
            review = DiscordReview(client, self._review_setup, moderator.texts, cfg.review_channel_id, enforcer.pace)
            self._review = enforcer.review = review
        self._client, self._moderator, self._enforcer = client, moderator, enforcer
        self._judge = MessageJudge(client, cfg, moderator, enforcer, self._cursors)
        self._guard = AnnouncementGuard(client, cfg, moderator, enforcer, self._state)
        tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)
        install_report_commands(tree, cfg.guild_id, moderator, lambda: enforcer, self._fetch_message)
        if self.desk_login is not None:
            install_login_command(tree, cfg.guild_id, moderator.texts, *self.desk_login)
        if self.link_commands is not None:
            install_link_commands(tree, cfg.guild_id, self.link_commands, moderator.texts)
        self._listen(client, self._judge)
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

    def _listen(self, client: discord.Client, judge: MessageJudge) -> None:
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
                await judge.member(member, MemberChangeKind.JOINED)

        @client.event
        async def on_member_update(before: discord.Member, after: discord.Member) -> None:
            if after.guild.id == self._config.guild_id and before.display_name != after.display_name:
                await judge.member(after, MemberChangeKind.RENAMED)

        @client.event
        async def on_user_update(before: discord.User, after: discord.User) -> None:
            guild = self.client.get_guild(self._config.guild_id)
            member = guild.get_member(after.id) if guild is not None else None
            if member is not None and before.display_name != after.display_name and member.nick is None:
                await judge.member(member, MemberChangeKind.RENAMED)

        @client.event
        async def on_thread_create(thread: discord.Thread) -> None:
            if thread.guild.id == self._config.guild_id:
                await judge.thread_name(thread)

        @client.event
        async def on_thread_update(before: discord.Thread, after: discord.Thread) -> None:
            if after.guild.id == self._config.guild_id and before.name != after.name:
                await judge.thread_name(after)

        @client.event
        async def on_message(msg: discord.Message) -> None:
            if judge.ours(msg):
                await judge.new(msg)
            else:
                await direct_message(msg, self.direct_commands)

        # The raw event fires for cached and uncached messages alike, so this one handler judges every edit
        # (on_message_edit would miss messages from before the bot's cache).
        @client.event
        async def on_raw_message_edit(payload: discord.RawMessageUpdateEvent) -> None:
            await judge.edit(payload)

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
            if self._moderator is not None:
                texts = self._moderator.texts.announcements
                await route_press(interaction, self.read_confirmations, texts, self._review)

        @client.event
        async def on_guild_channel_delete(channel: discord.abc.GuildChannel) -> None:
            if self._guard is not None and self._guard.policy_for(channel.id) is not None:
                log.error("announcement channel #%s (%s) was deleted", channel.name, channel.id)

    async def catch_up(self) -> None:
        """Judge what was posted in every watched channel (and its threads) since the last handled message."""
        if self._judge is not None:
            await self._judge.catch_up()

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
