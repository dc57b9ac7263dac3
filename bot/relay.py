"""Builds the timetable relay from the settings and runs it beside the adapters (an asyncio task)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Mapping, Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo

from adapters.base import Adapter
from bot.app import Core
from bot.secrets import read_secret
from bot.settings import SettingsError, ZermeloSettings
from moderation.announcements.compose import Composer
from moderation.announcements.fanout import Fanout
from moderation.announcements.ports import Announcer, TimetableSource
from moderation.announcements.quiet import QuietHours
from moderation.announcements.relay import RelaySettings, TimetableRelay
from moderation.announcements.staff import StaffAnnouncements
from moderation.announcements.store import AnnouncementPosts
from moderation.announcements.targets import AnnouncementRoom, RoomTargets
from moderation.model import Platform, RoomId, RoomKind

log = logging.getLogger(__name__)

TOKEN_ENV = "SCHOOLWACHT_ZERMELO_TOKEN"
SOURCE = "zermelo"
STAFF_SOURCE = "staff"


def announcer_for(adapter: Adapter) -> Announcer | None:
    """The adapter's announcement hands (None for a platform without announcement rooms, e.g. the console)."""
    if adapter.platform is Platform.MATRIX:
        from adapters.matrix.announcer import MatrixAnnouncer
        from adapters.matrix.client import MatrixAdapter

        return MatrixAnnouncer(adapter) if isinstance(adapter, MatrixAdapter) else None
    if adapter.platform is Platform.DISCORD:
        from adapters.discord.announcer import DiscordAnnouncer
        from adapters.discord.client import DiscordAdapter

        return DiscordAnnouncer(adapter) if isinstance(adapter, DiscordAdapter) else None
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
) -> TimetableRelay | None:
    zermelo = core.settings.zermelo
    if zermelo is None:
        return None
    timezone = ZoneInfo(core.settings.bot.timezone)
    posts = AnnouncementPosts(core.sessions, SOURCE)
    quiet = QuietHours.parse(zermelo.quiet_hours, timezone) if zermelo.quiet_hours.strip() else None
    fanout = Fanout(posts, {a.platform: a for a in announcers}, core.clock, quiet, lock=lock)
    return TimetableRelay(
        source or zermelo_source(zermelo, environ),
        posts,
        room_targets(core, zermelo),
        Composer(timezone, dict(zermelo.subjects)),
        fanout,
        core.clock,
        RelaySettings(
            zermelo.days_ahead,
            timedelta(minutes=zermelo.poll_minutes),
            timezone,
            news_rooms=news_rooms(core, zermelo),
        ),
    )


def build_staff_announcements(core: Core, announcers: Sequence[Announcer]) -> StaffAnnouncements:
    """A teacher's `!mededeling` to several class rooms at once, through the same queue as the relay."""
    zermelo = core.settings.zermelo
    timezone = ZoneInfo(core.settings.bot.timezone)
    quiet = QuietHours.parse(zermelo.quiet_hours, timezone) if zermelo and zermelo.quiet_hours.strip() else None
    posts = AnnouncementPosts(core.sessions, STAFF_SOURCE)
    fanout = Fanout(posts, {a.platform: a for a in announcers}, core.clock, quiet)

    def room_rule(platform: Platform, room_id: str) -> tuple[frozenset[str], bool] | None:
        policy = core.moderator.policy_for(platform, RoomId(room_id))
        if policy is None or not policy.is_announcement:
            return None
        return frozenset(policy.posters), policy.staff_may_post

    return StaffAnnouncements(posts, room_targets(core, zermelo), room_rule, core.roster.current, fanout, core.clock)


def attach_staff_commands(core: Core, adapters: Sequence[Adapter]) -> StaffAnnouncements | None:
    """Before the adapters start: Matrix direct rooms take `!mededeling` and `!intrekken`."""
    if not any(a.platform is Platform.MATRIX for a in adapters):
        return None  # and matrix-nio may not even be installed (a console-only or Discord-only install)
    from adapters.matrix.client import MatrixAdapter

    matrix = [a for a in adapters if isinstance(a, MatrixAdapter)]
    announcers = [a for a in (announcer_for(adapter) for adapter in adapters) if a is not None]
    staff = build_staff_announcements(core, announcers)
    for adapter in matrix:
        adapter.direct_commands = staff.handle
    return staff


class RunningRelay:
    """The relay's task; `stop()` ends it between two polls (what is queued stays queued for the next start)."""

    def __init__(self, relay: TimetableRelay) -> None:
        self.relay = relay
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(relay.run(self._stop), name="timetable-relay")

    async def stop(self) -> None:
        self._stop.set()
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(self._task, timeout=30)


def start_relay(
    core: Core, adapters: Sequence[Adapter], staff: StaffAnnouncements | None = None
) -> RunningRelay | None:
    """The relay's task, when [zermelo] is set; it shares the teachers' delivery lock (one pass at a time)."""
    announcers = [a for a in (announcer_for(adapter) for adapter in adapters) if a is not None]
    relay = build_relay(core, announcers, lock=staff.lock if staff is not None else None)
    if relay is None:
        return None
    log.info("timetable relay started for %s", ", ".join(a.platform.value for a in announcers) or "no platform")
    return RunningRelay(relay)
