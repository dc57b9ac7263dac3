"""R10 on Discord: keep every announcement channel's overwrites as they must be, restore drift, record it.

Runs on start, on every CHANNEL_UPDATE of an announcement channel, after a reconnect (resumed or fresh), and whenever
the app schedules `reconcile`.

Who changed it comes only from the change's own audit-log entry: one for this channel and for an overwrite that
drifted, newer than any entry already blamed. Discord lists entries with no timing guarantee, so the check waits a
little for it; without one the drift is recorded without a name (never the previous changer's). A drift the bot
cannot restore (it lacks a permission) is recorded once; it is tried and announced again only when it changes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time

import discord

from adapters.discord.config import DiscordConfig
from adapters.discord.overwrites import Drift, Key, Kind, Pair, find_drift
from moderation.incidents.withdrawals import KeyValue
from moderation.model import AccountId, Category, EventId, Platform, RoomId
from moderation.pipeline import Moderator
from moderation.policy import RoomPolicy
from moderation.ports import Enforcer

log = logging.getLogger(__name__)

RESTORE_REASON = "schoolwacht R10: announcement channel, only staff may post"
_OVERWRITE_ACTIONS = frozenset(
    {
        discord.AuditLogAction.overwrite_create,
        discord.AuditLogAction.overwrite_update,
        discord.AuditLogAction.overwrite_delete,
    }
)


def current_overwrites(channel: discord.abc.GuildChannel) -> dict[Key, Pair]:
    result: dict[Key, Pair] = {}
    for target, overwrite in channel.overwrites.items():
        is_role = isinstance(target, discord.Role) or (
            isinstance(target, discord.Object) and target.type is discord.Role
        )
        allow, deny = overwrite.pair()
        result[(Kind.ROLE if is_role else Kind.MEMBER, target.id)] = (allow.value, deny.value)
    return result


def _own_overwrite(guild: discord.Guild) -> frozenset[int]:
    """The bot, when it must post in announcement channels and cannot by its role alone."""
    me = guild.me
    return frozenset() if me is None or me.guild_permissions.administrator else frozenset({me.id})


def _needing_own_overwrite(guild: discord.Guild, posters: frozenset[int]) -> frozenset[int]:
    """Allowed posters who are in the server and cannot post anyway (the owner and administrators can)."""
    needing = set()
    for member_id in posters:
        member = guild.get_member(member_id)
        if member is not None and not member.guild_permissions.administrator:
            needing.add(member_id)
    return frozenset(needing)


class _Memory:
    """What the guard remembers per channel, in the state table when there is one (so a restart does not blame an
    old entry again, nor re-announce the same unfixable drift)."""

    def __init__(self, state: KeyValue | None) -> None:
        self._state = state
        self._local: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        if key in self._local:
            return self._local[key]
        try:
            return self._state.get(key) if self._state is not None else None
        except Exception as exc:
            log.warning("could not read %s from the state table: %s", key, exc)
            return None

    def set(self, key: str, value: str) -> None:
        self._local[key] = value
        try:
            if self._state is not None:
                self._state.set(key, value)
        except Exception as exc:
            log.warning("could not save %s in the state table: %s", key, exc)


def _signature(drifts: list[Drift]) -> str:
    return json.dumps(sorted([int(d.key[0]), d.key[1], *d.before] for d in drifts))


class AnnouncementGuard:
    def __init__(
        self,
        client: discord.Client,
        config: DiscordConfig,
        moderator: Moderator,
        enforcer: Enforcer,
        state: KeyValue | None = None,
    ) -> None:
        self._client = client
        self._config = config
        self._moderator = moderator
        self._enforcer = enforcer
        self._memory = _Memory(state)
        self._lock = asyncio.Lock()  # one check at a time: our own restores cause CHANNEL_UPDATEs too
        self._advised: set[int] = set()  # text channels already advised to become Announcement channels
        self.members_known = True  # False while the member list is incomplete: member overwrites are left alone

    def policy_for(self, channel_id: int) -> RoomPolicy | None:
        policy = self._moderator.policy_for(Platform.DISCORD, RoomId(str(channel_id)))
        return policy if policy is not None and policy.is_announcement else None

    async def reconcile(self) -> None:
        guild = self._client.get_guild(self._config.guild_id)
        if guild is None:
            log.warning("reconcile: the bot is not in guild %s (any more?)", self._config.guild_id)
            return
        for policy in self._moderator.rooms(Platform.DISCORD):
            if not policy.is_announcement:
                continue
            # Ask Discord, not the cache: a change made while the gateway was down never reached the cache.
            try:
                channel = await guild.fetch_channel(int(policy.room.id))
            except discord.NotFound:
                log.warning("announcement channel %s (%s) does not exist (deleted?)", policy.room.name, policy.room.id)
                continue
            except discord.HTTPException as exc:
                log.warning("cannot read announcement channel %s (%s): %s", policy.room.name, policy.room.id, exc)
                continue
            plain = isinstance(channel, discord.TextChannel) and not channel.is_news()
            if plain and "COMMUNITY" in guild.features and channel.id not in self._advised:
                self._advised.add(channel.id)  # once per run, not on every scheduled check
                log.warning(
                    "announcement channel #%s is a text channel: in a Community server make it an Announcement "
                    "channel (channel settings → Overview), so members can follow it and it reads as announcements",
                    channel.name,
                )
            if isinstance(channel, discord.abc.GuildChannel):
                await self.check(channel, policy)

    async def check(self, channel: discord.abc.GuildChannel, policy: RoomPolicy) -> None:
        async with self._lock:
            guild = channel.guild
            staff_role = guild.get_role(self._config.staff_role_id)
            staff_members = frozenset(m.id for m in staff_role.members) if staff_role else frozenset()
            posters = self._moderator.allowed_posters(Platform.DISCORD, policy.room.id)
            allowed = frozenset(int(a) for a in posters if a.isascii() and a.isdigit())
            current = current_overwrites(channel)
            if not self.members_known:  # an empty member cache must not make staff overwrites look like drift
                allowed |= frozenset(target for kind, target in current if kind is Kind.MEMBER)
            own = _own_overwrite(guild) if self._config.bot_posts_announcements else frozenset()
            drifts = find_drift(
                current,
                guild_id=guild.id,
                staff_role_id=self._config.staff_role_id,
                allowed_members=allowed | staff_members | own,
                extra_posters=(
                    _needing_own_overwrite(guild, allowed - staff_members) if self.members_known else frozenset()
                )
                | own,
            )
            unfixed_key = f"discord:drift-unfixed:{channel.id}"
            if not drifts:
                if self._memory.get(unfixed_key):
                    self._memory.set(unfixed_key, "")
                return
            signature = _signature(drifts)
            if self._memory.get(unfixed_key) == signature:
                log.info("announcement channel #%s: the same drift as before, still not restorable", channel.name)
                return
            failures = [f for d in drifts if (f := await self._restore(channel.id, d)) is not None]
            actor, entry_id = await self._who_changed(guild, channel.id, {d.key[1] for d in drifts})
            self._memory.set(unfixed_key, signature if failures else "")
            await self._record(channel, drifts, failures, actor, entry_id)

    async def _restore(self, channel_id: int, drift: Drift) -> str | None:
        (kind, target_id), (allow, deny) = drift.key, drift.after
        http = self._client.http
        try:
            if allow == 0 and deny == 0:
                await http.delete_channel_permissions(channel_id, target_id, reason=RESTORE_REASON)
            else:
                await http.edit_channel_permissions(
                    channel_id, target_id, str(allow), str(deny), 0 if kind is Kind.ROLE else 1, reason=RESTORE_REASON
                )
        except discord.HTTPException as exc:
            log.error("could not restore the overwrite for %s in channel %s: %s", target_id, channel_id, exc)
            return f"{drift.what}: NOT restored ({exc.status} {exc.text or exc.code})"
        return None

    async def _who_changed(
        self, guild: discord.Guild, channel_id: int, targets: set[int]
    ) -> tuple[discord.abc.User | None, int | None]:
        """The person (not this bot) behind this drift: the newest audit-log entry for an overwrite of this channel
        on one of `targets`, newer than the entry last blamed for this channel. Waits up to `audit_log_wait` for it."""
        blamed_key = f"discord:drift-blamed:{channel_id}"
        raw = self._memory.get(blamed_key)
        blamed = int(raw) if raw and raw.isdigit() else 0
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._config.audit_log_wait
        while True:
            try:
                found = await self._own_entry(guild, channel_id, targets, blamed)
            except discord.HTTPException as exc:
                log.warning("cannot read the audit log to see who changed channel %s: %s", channel_id, exc)
                return None, None
            if found is not None:
                self._memory.set(blamed_key, str(found.id))
                return found.user, found.id
            if loop.time() >= deadline:
                log.info("no audit-log entry (yet) for the change of channel %s: recorded without a name", channel_id)
                return None, None
            await asyncio.sleep(min(0.5, max(deadline - loop.time(), 0.0)))

    async def _own_entry(
        self, guild: discord.Guild, channel_id: int, targets: set[int], newer_than: int
    ) -> discord.AuditLogEntry | None:
        me = self._client.user
        async for entry in guild.audit_logs(limit=50):
            if entry.id <= newer_than:
                return None  # newest first: everything from here was blamed already
            target, extra = entry.target, entry.extra
            ours = target is not None and target.id == channel_id and entry.action in _OVERWRITE_ACTIONS
            on_target = getattr(extra, "id", None) in targets
            if ours and on_target and entry.user is not None and (me is None or entry.user.id != me.id):
                return entry
        return None

    async def _record(
        self,
        channel: discord.abc.GuildChannel,
        drifts: list[Drift],
        failures: list[str],
        actor: discord.abc.User | None,
        entry_id: int | None,
    ) -> None:
        by = f" (last changed by {actor.display_name})" if actor is not None else ""
        what = "; ".join(d.what for d in drifts)
        outcome = "could not restore all of it: " + "; ".join(failures) if failures else "restored"
        explanation = f"announcement channel #{channel.name} was not set up as R10 requires{by}: {what}; {outcome}"
        log.warning(explanation)
        # The audit-log entry identifies this change; without one, the moment of detection does.
        event = f"drift:{entry_id}" if entry_id is not None else f"drift:{channel.id}:{int(time.time() * 1000)}"
        try:
            await self._moderator.record_room_event(
                platform=Platform.DISCORD,
                room_id=RoomId(str(channel.id)),
                event_id=EventId(event),
                actor=AccountId(str(actor.id)) if actor is not None else None,
                category=Category.PERMISSION_DRIFT,
                explanation=explanation,
                enforcer=self._enforcer,
            )
        except Exception:
            log.exception("could not record the permission drift of channel %s", channel.id)
