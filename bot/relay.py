"""Builds the timetable relay from the settings and runs it beside the adapters (an asyncio task)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Mapping, Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo

from adapters.base import Adapter
from bot.app import Core
from bot.secrets import read_secret
from bot.settings import SettingsError, ZermeloSettings
from moderation.announcements.composer import AnnouncementComposer
from moderation.announcements.delivery import DeliveryLoop, DeliverySettings
from moderation.announcements.fanout import Fanout
from moderation.announcements.lease import DeliveryLease
from moderation.announcements.ports import Announcer, Audience, Teller, TimetableSource
from moderation.announcements.quiet import QuietHours
from moderation.announcements.read_ways import ReadWay, ReadWays
from moderation.announcements.reads import ReadConfirmations
from moderation.announcements.relay import RelaySettings, TimetableRelay
from moderation.announcements.staff import StaffAnnouncements, Telling
from moderation.announcements.staff_store import StaffRecords
from moderation.announcements.store import AnnouncementPosts
from moderation.announcements.targets import AnnouncementRoom, RoomTargets
from moderation.model import Platform, RoomId, RoomKind
from moderation.texts import Phrase, Texts

log = logging.getLogger(__name__)

TOKEN_ENV = "SCHOOLWACHT_ZERMELO_TOKEN"
SOURCE = "zermelo"
STAFF_SOURCE = "staff"


def announcer_for(adapter: Adapter, texts: Texts) -> Announcer | None:
    """The adapter's announcement hands (None for a platform without announcement rooms, e.g. the console)."""
    if adapter.platform is Platform.MATRIX:
        from adapters.matrix.announcer import MatrixAnnouncer
        from adapters.matrix.client import MatrixAdapter

        return MatrixAnnouncer(adapter, texts) if isinstance(adapter, MatrixAdapter) else None
    if adapter.platform is Platform.DISCORD:
        from adapters.discord.announcer import DiscordAnnouncer
        from adapters.discord.client import DiscordAdapter

        return DiscordAnnouncer(adapter, texts) if isinstance(adapter, DiscordAdapter) else None
    return None


def room_targets(core: Core, zermelo: ZermeloSettings | None) -> RoomTargets:
    classes = {p.class_name for p in core.directory.people() if p.class_name}
    rooms = [
        AnnouncementRoom(Platform(r.platform), r.id, r.name)
        for r in core.settings.rooms
        if r.kind == RoomKind.ANNOUNCEMENT.value
    ]
    if zermelo is None:
        return RoomTargets(classes, rooms)
    return RoomTargets(classes, rooms, groups=zermelo.groups, class_rooms=zermelo.class_rooms)


def news_rooms(core: Core, zermelo: ZermeloSettings) -> tuple[tuple[Platform, str], ...]:
    known = {r.id: Platform(r.platform) for r in core.settings.rooms}
    missing = [r for r in zermelo.news_rooms if r not in known]
    if missing:
        raise SettingsError(f"zermelo.news_rooms: {', '.join(missing)} is not a room under [[rooms]]")
    return tuple((known[r], r) for r in zermelo.news_rooms)


def zermelo_source(zermelo: ZermeloSettings, environ: Mapping[str, str]) -> TimetableSource:
    from adapters.zermelo.client import ZermeloClient, ZermeloConfig, portal_url

    token = read_secret(TOKEN_ENV, environ)
    if not token:
        raise SettingsError(f"[zermelo] is set but the API token is not: set {TOKEN_ENV} (or {TOKEN_ENV}_FILE)")
    config = ZermeloConfig(portal_url(zermelo.portal), user=zermelo.user, branch_of_school=zermelo.branch_of_school)
    return ZermeloClient(config, token)


def build_relay(
    core: Core,
    announcers: Sequence[Announcer],
    *,
    source: TimetableSource | None = None,
    environ: Mapping[str, str] = os.environ,
    lock: asyncio.Lock | None = None,
    lease: DeliveryLease | None = None,
) -> TimetableRelay | None:
    zermelo = core.settings.zermelo
    if zermelo is None:
        return None
    timezone = ZoneInfo(core.settings.bot.timezone)
    posts = AnnouncementPosts(core.sessions, SOURCE)
    quiet = QuietHours.parse(zermelo.quiet_hours, timezone) if zermelo.quiet_hours.strip() else None
    fanout = Fanout(posts, {a.platform: a for a in announcers}, core.clock, quiet, lock=lock, lease=lease)
    return TimetableRelay(
        source or zermelo_source(zermelo, environ),
        posts,
        room_targets(core, zermelo),
        core.moderator.texts.timetable(dict(zermelo.subjects)),
        fanout,
        core.clock,
        RelaySettings(
            zermelo.days_ahead,
            timedelta(minutes=zermelo.poll_minutes),
            timezone,
            news_rooms=news_rooms(core, zermelo),
        ),
    )


def delivery_lease(core: Core) -> DeliveryLease:
    """This process's claim on delivering announcements (one deliverer per platform across processes)."""
    return DeliveryLease(core.sessions, f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}")


def build_staff_announcements(
    core: Core,
    announcers: Sequence[Announcer],
    *,
    lease: DeliveryLease | None = None,
    progress_every_s: float = 5.0,
    ways: ReadWays | None = None,
) -> StaffAnnouncements:
    """A teacher's `!mededeling` to several class rooms at once (now or later), through the same queue as the
    relay. `ways`: how each platform asks "Gelezen ✓", where there are no announcers to say (a desk on its own)."""
    zermelo = core.settings.zermelo
    timezone = ZoneInfo(core.settings.bot.timezone)
    quiet = QuietHours.parse(zermelo.quiet_hours, timezone) if zermelo and zermelo.quiet_hours.strip() else None
    posts = AnnouncementPosts(core.sessions, STAFF_SOURCE)
    fanout = Fanout(posts, {a.platform: a for a in announcers}, core.clock, quiet, lease=lease or delivery_lease(core))
    tellers: dict[Platform, Teller] = {a.platform: a for a in announcers if isinstance(a, Teller)}
    audiences: dict[Platform, Audience] = {a.platform: a for a in announcers if isinstance(a, Audience)}

    def room_rule(platform: Platform, room_id: str) -> tuple[frozenset[str], bool] | None:
        policy = core.moderator.policy_for(platform, RoomId(room_id))
        if policy is None or not policy.is_announcement:
            return None
        return frozenset(policy.posters), policy.staff_may_post

    records = StaffRecords(core.sessions)
    reads = ReadConfirmations(core.sessions, STAFF_SOURCE, core.roster.current, core.clock)
    composer = AnnouncementComposer(
        posts,
        records,
        room_targets(core, zermelo),
        room_rule,
        fanout,
        core.clock,
        timezone,
        reads,
        texts=core.moderator.texts.announcements,
        ways=ways or ReadWays.of(announcers),
    )
    return StaffAnnouncements(
        composer,
        posts,
        records,
        core.roster.current,
        fanout,
        core.clock,
        Telling(tellers, progress_every_s, audiences),
        reads,
    )


def read_ways_from_settings(core: Core) -> ReadWays:
    """How the chat platforms of the settings ask "Gelezen ✓", as their announcers would (Discord: a button; Matrix:
    a ✅ reaction, where `read_reactions` is on), for a process that does not run them."""
    platforms = set(core.settings.bot.platforms)
    ways: dict[Platform, ReadWay] = {}
    if "discord" in platforms and core.settings.discord is not None:
        ways[Platform.DISCORD] = ReadWay(confirms=True)
    if "matrix" in platforms and core.settings.matrix is not None:
        from adapters.matrix.translate import READ_KEY  # pure: no Matrix SDK needed

        hint = core.moderator.texts.phrase(Phrase.READ_BY_REACTION).format(key=READ_KEY)
        ways[Platform.MATRIX] = ReadWay(confirms=core.settings.matrix.read_reactions, hint=hint)
    return ReadWays(ways)


def desk_announcements(core: Core) -> StaffAnnouncements | None:
    """The teachers' announcements for a desk running on its own (`schoolwacht web`): composed, checked, stored in
    the posts queue and shown there exactly as in `run`, but posted by nobody here. The `run` process, which has the
    platforms, delivers them from the queue (its delivery lease keeps that to one process); the desk shows them as
    waiting until then. None when the settings have no chat platform to announce on."""
    if not {"matrix", "discord"} & set(core.settings.bot.platforms):
        return None
    return build_staff_announcements(core, [], ways=read_ways_from_settings(core))


def build_delivery(core: Core, staff: StaffAnnouncements, *, interval_s: float = 5.0) -> DeliveryLoop:
    return DeliveryLoop(
        staff,
        AnnouncementPosts(core.sessions, STAFF_SOURCE),
        StaffRecords(core.sessions),
        core.clock,
        DeliverySettings(interval_s, keep_days=core.settings.review.retention_days),
    )


def attach_staff_commands(core: Core, adapters: Sequence[Adapter]) -> StaffAnnouncements | None:
    """Before the adapters start: Matrix direct rooms and Discord DMs take `!mededeling`, `!wijzig`, `!intrekken`,
    `!gelezen`; the announcement rooms take readers' "Gelezen ✓"."""
    if not any(a.platform in (Platform.MATRIX, Platform.DISCORD) for a in adapters):
        return None  # and the platform SDKs may not even be installed (a console-only install)
    announcers = [a for a in (announcer_for(adapter, core.moderator.texts) for adapter in adapters) if a is not None]
    staff = build_staff_announcements(core, announcers)
    if any(a.platform is Platform.MATRIX for a in adapters):
        from adapters.matrix.client import MatrixAdapter

        for matrix in (a for a in adapters if isinstance(a, MatrixAdapter)):
            matrix.direct_commands = staff.handle
            matrix.read_confirmations = staff.reads.confirm if staff.reads is not None else None
            matrix.read_withdrawals = staff.reads.withdraw if staff.reads is not None else None
            matrix.untracked_reads = staff.reads
    if any(a.platform is Platform.DISCORD for a in adapters):
        from adapters.discord.client import DiscordAdapter

        for discord in (a for a in adapters if isinstance(a, DiscordAdapter)):
            discord.direct_commands = staff.handle
            discord.read_confirmations = staff.reads.press if staff.reads is not None else None
    return staff


class RunningRelay:
    """The timetable relay's task (when [zermelo] is set) and the staff announcements' delivery loop; `stop()` ends
    them between two passes (what is queued stays queued for the next start) and hands the delivery lease on."""

    def __init__(
        self, relay: TimetableRelay | None, delivery: DeliveryLoop | None = None, lease: DeliveryLease | None = None
    ) -> None:
        self.relay = relay
        self.delivery = delivery
        self._lease = lease
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        if relay is not None:
            self._tasks.append(asyncio.create_task(relay.run(self._stop), name="timetable-relay"))
        if delivery is not None:
            self._tasks.append(asyncio.create_task(delivery.run(self._stop), name="announcement-delivery"))

    async def stop(self) -> None:
        self._stop.set()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(task, timeout=30)
        if self._lease is not None:
            await asyncio.to_thread(self._lease.release)


def start_relay(
    core: Core, adapters: Sequence[Adapter], staff: StaffAnnouncements | None = None
) -> RunningRelay | None:
    """The relay's task, when [zermelo] is set, and the teachers' delivery loop, when they may announce; both share
    one delivery lock (one pass at a time) and this process's delivery lease."""
    announcers = [a for a in (announcer_for(adapter, core.moderator.texts) for adapter in adapters) if a is not None]
    lease = (staff.fanout.lease if staff is not None else None) or delivery_lease(core)
    relay = build_relay(core, announcers, lock=staff.lock if staff is not None else None, lease=lease)
    delivery = build_delivery(core, staff) if staff is not None else None
    if relay is None and delivery is None:
        return None
    if relay is not None:
        log.info("timetable relay started for %s", ", ".join(a.platform.value for a in announcers) or "no platform")
    return RunningRelay(relay, delivery, lease)
