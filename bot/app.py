"""The one composition root: builds the database, roster, classifier, rules and moderator from the settings, then
the adapters and the scheduler; starts them in order and stops them in reverse."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections.abc import Callable, Coroutine, Mapping, Sequence
from contextlib import AsyncExitStack, suppress
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from adapters.base import Adapter
from bot.database import ensure_current
from bot.settings import WEEKDAY, RoomSettings, Settings, parse_window
from bot.texts.nl import Dutch
from moderation.back_off import BackOff, BackOffSettings
from moderation.classify.config import ClassifierConfig, MLConfig
from moderation.clock import SystemClock
from moderation.directory import CurrentRoster, RosterDirectory, load_directory
from moderation.incidents.outbox import SqlOutbox
from moderation.incidents.report_key import installation_secret
from moderation.incidents.review import ReviewService
from moderation.incidents.rooms import sync_rooms
from moderation.incidents.store import SqlIncidentStore
from moderation.incidents.targeting import TargetingIncidentStore
from moderation.model import AccountId, Category, PersonId, Platform, Room, RoomId, RoomKind
from moderation.pipeline import Moderator
from moderation.policy import (
    DEFAULT_THRESHOLDS,
    AbuseAction,
    MediaAction,
    PersonalDataAction,
    PolicyBook,
    QuietHours,
    RoomPolicy,
)
from moderation.ports import Classifier, Clock, IncidentStore, Metrics, NoMetrics
from moderation.rules import ALL_MEMBER_RULES, ALL_ROOM_RULES, ALL_RULES
from moderation.storage.engine import make_engine, make_session_factory, wait_for_database
from moderation.storage.state import SqlStateStore

log = logging.getLogger(__name__)

# Fault tests only: the step at which the process ends itself at once, as a kill -9 there would (see die_at).
DIE_AT_ENV = "SCHOOLWACHT_TEST_DIE_AT"


def die_at(step: str | None) -> Callable[[str], None]:
    """The pipeline's checkpoint: without a step, nothing; with one, the process ends there without cleaning up."""
    if not step:
        return lambda _step: None

    def checkpoint(reached: str) -> None:
        if reached == step:
            sys.stderr.write(f"{DIE_AT_ENV}: ending the process at {reached}\n")
            sys.stderr.flush()
            os._exit(137)

    return checkpoint


@dataclass
class Core:
    """Everything platform-independent, built once per process: one roster holder and one review service, which
    every adapter, the scheduler and the console are given."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    store: IncidentStore
    state: SqlStateStore
    roster: CurrentRoster
    moderator: Moderator
    review: ReviewService
    classifier: Classifier | None
    clock: Clock
    metrics: Metrics = field(default_factory=NoMetrics)  # the figures /metrics serves (when the desk is on)
    # Per platform with workers: how many deliveries may go at once (adapters report rate limits to it).
    back_offs: Mapping[Platform, BackOff] = field(default_factory=dict)
    closed: bool = False

    @property
    def directory(self) -> RosterDirectory:
        """The roster of the moment (a snapshot: ask again after an import)."""
        return self.roster.current()

    def reload_directory(self) -> None:
        self.roster.reload()

    def close(self) -> None:
        """Release the classifier's worker and the database connections. Safe to call twice."""
        if self.closed:
            return
        self.closed = True
        close = getattr(self.classifier, "close", None)
        if callable(close):
            close()
        self.engine.dispose()


def open_database(settings: Settings, *, check_schema: bool = True) -> tuple[Engine, sessionmaker[Session]]:
    engine = make_engine(settings.database_url())
    wait_for_database(engine, attempts=settings.database.connect_attempts)
    if check_schema:
        ensure_current(engine)
    return engine, make_session_factory(engine)


def room_policy(settings: Settings, room: RoomSettings) -> RoomPolicy:
    """One room's policy: its settings, with thresholds layered default -> room kind -> the room's own."""
    return RoomPolicy(
        room=Room(Platform(room.platform), RoomId(room.id), room.name, RoomKind(room.kind)),
        posters=frozenset(PersonId(p) for p in room.posters if p != "staff"),
        staff_may_post="staff" in room.posters,
        abuse_action=AbuseAction(room.abuse_action),
        notify_sender=room.notify_sender,
        thresholds={**DEFAULT_THRESHOLDS, **settings.room_thresholds(room)},
        dry_run=room.dry_run,
        personal_data=PersonalDataAction(room.personal_data) if room.personal_data else None,
        staff_may_join=room.staff_may_join,
        media=MediaAction(room.media),
        quiet_hours=_quiet_hours(settings, room),
    )


def _quiet_hours(settings: Settings, room: RoomSettings) -> QuietHours | None:
    if room.quiet_hours is None:
        return None
    start, end = parse_window(room.quiet_hours)
    weekdays = frozenset(WEEKDAY[day] for day in room.quiet_days)
    zone = ZoneInfo(settings.bot.timezone)
    return QuietHours(start, end, zone, weekdays, hold=room.quiet_action == "hold")


def build_policies(settings: Settings) -> PolicyBook:
    return PolicyBook([room_policy(settings, room) for room in settings.rooms])


def poster_problems(policies: PolicyBook, directory: RosterDirectory) -> list[str]:
    """Announcement rooms whose `posters` name someone not in the roster (a typo: that teacher's posts would be
    removed) or that nobody may post in at all."""
    problems = []
    for policy in policies.all():
        if not policy.is_announcement:
            continue
        where = f"room {policy.room.id!r} ({policy.room.platform.value})"
        for person_id in sorted(policy.posters):
            if directory.person(person_id) is None:
                problems.append(f"{where}: poster {person_id!r} is not in the roster, so they cannot post there")
        if not policy.posters and not policy.staff_may_post:
            problems.append(f"{where}: posters is empty, so nobody may post there")
    return problems


def classifier_config(settings: Settings) -> ClassifierConfig:
    c = settings.classifier
    ml = None
    if c.ml_backend != "none":
        ml = MLConfig(
            backend=c.ml_backend,
            model=c.model,
            cache_dir=settings.resolve_path(c.model_dir),
            hf_model_dir=settings.resolve_path(c.hf_model_dir) if c.hf_model_dir else None,
            hf_labels=tuple((label, Category(cat)) for label, cat in c.hf_labels.items()),
        )
    return ClassifierConfig(
        languages=tuple(c.languages),
        lexicon_files=tuple(settings.config_path(p) for p in c.lexicon_files),
        allow_terms=tuple(c.allow_terms),
        ml=ml,
    )


def build_classifier(settings: Settings, first_names: Callable[[], frozenset[str]] | None = None) -> Classifier:
    from moderation.classify import build_classifier as build

    return build(classifier_config(settings), first_names)


class RosterFirstNames:
    """The first names in the roster of the moment, for the text tier: a classmate named in a message is a
    target ("lisa is zo dik"). Worked out again only when the roster has been swapped by an import."""

    def __init__(self, current: Callable[[], RosterDirectory]) -> None:
        self._current = current
        self._seen: RosterDirectory | None = None
        self._names: frozenset[str] = frozenset()

    def __call__(self) -> frozenset[str]:
        directory = self._current()
        if directory is not self._seen:
            self._names = frozenset(p.name.split()[0] for p in directory.people() if p.name.split())
            self._seen = directory
        return self._names


# Platforms whose notices and cards go through the delivery workers. The console's are lines on the terminal right
# under their message: nothing to wait for, and read in order.
QUEUED_PLATFORMS = (Platform.MATRIX, Platform.DISCORD)


def build_core(
    settings: Settings,
    *,
    clock: Clock | None = None,
    classifier: Classifier | None = None,
    with_classifier: bool = True,
    bot_accounts: frozenset[tuple[Platform, AccountId]] = frozenset(),
    delivery_workers: int | None = None,
) -> Core:
    engine, sessions = open_database(settings)
    roster = CurrentRoster(load_directory(sessions), sessions)
    if classifier is None and with_classifier:
        classifier = build_classifier(settings, RosterFirstNames(roster.current))
    if not len(roster):
        log.warning(
            "the roster is empty: every author is unknown and every incident goes to nobody; "
            "run `schoolwacht roster import FILE`"
        )
    policies = build_policies(settings)
    sync_rooms(sessions, [p.room for p in policies.all()])  # the incident log keeps each room's kind on record
    for problem in poster_problems(policies, roster.current()):
        log.warning("%s", problem)
    clock = clock or SystemClock()
    metrics = core_metrics(settings)
    # R2: the store also notices repeated targeting of one person and opens a bullying case for the coordinator.
    store = TargetingIncidentStore(
        SqlIncidentStore(sessions),
        sessions,
        roster.current,  # the roster of the moment: it is swapped after an import
        window_days=settings.review.repeat_window_days,
        threshold=settings.review.repeat_threshold,
    )
    unconfigured = settings.bot.unconfigured_rooms
    workers = settings.bot.delivery_workers if delivery_workers is None else delivery_workers
    back_offs = (
        {platform: BackOff(BackOffSettings(most=workers)) for platform in QUEUED_PLATFORMS}
        if settings.bot.back_off and workers > 0
        else {}
    )
    moderator = Moderator(
        policies=policies,
        rules=ALL_RULES,
        directory=roster,
        store=store,
        outbox=SqlOutbox(sessions, roster.current),
        clock=clock,
        classifier=classifier,
        bot_accounts=bot_accounts,
        unconfigured_rooms=None if unconfigured == "ignore" else RoomKind(unconfigured),
        dry_run=settings.bot.dry_run,
        one_writer=engine.dialect.name == "sqlite",
        checkpoint=die_at(os.environ.get(DIE_AT_ENV)),
        delivery_workers=dict.fromkeys(QUEUED_PLATFORMS, workers),
        card_burst=settings.bot.card_burst_s,
        critical_wait=settings.bot.critical_wait_s,
        notice_burst=settings.bot.notice_burst_s,
        back_offs=back_offs,
        report_secret=installation_secret(sessions),
        member_rules=ALL_MEMBER_RULES,
        official_names=settings.bot.official_names,
        room_rules=ALL_ROOM_RULES,
        one_to_one_exceptions=settings.bot.one_to_one_exceptions,
        texts=Dutch(ZoneInfo(settings.bot.timezone), settings.web.public_url if settings.web else None),
        metrics=metrics,
    )
    review = ReviewService(sessions, roster.current, clock)
    state = SqlStateStore(sessions)
    return Core(
        settings,
        engine,
        sessions,
        store,
        state,
        roster,
        moderator,
        review,
        classifier,
        clock,
        metrics,
        back_offs=back_offs,
    )


def core_metrics(settings: Settings) -> Metrics:
    """The figures for /metrics, counted in Prometheus's registry when the desk (which serves them) is on."""
    if settings.web is None:
        return NoMetrics()
    try:
        from adapters.web.metrics import CoreMetrics
    except ImportError:  # the web extra is missing: the desk itself says so when it starts
        return NoMetrics()
    return CoreMetrics()


async def _started_unless_stopped(starting: Coroutine[Any, Any, None], stop: asyncio.Event) -> bool:
    """Start one adapter; a stop signal while it waits (a homeserver that is down) ends the wait."""
    start = asyncio.ensure_future(starting)
    stopper = asyncio.ensure_future(stop.wait())
    await asyncio.wait([start, stopper], return_when=asyncio.FIRST_COMPLETED)
    stopper.cancel()
    if start.done():
        start.result()  # its own errors (a refused login) surface here
        return True
    start.cancel()
    with suppress(asyncio.CancelledError):
        await start
    return False


async def run(core: Core, adapters: Sequence[Adapter], *, grace: float | None = None) -> None:
    """Start the adapters and the scheduled jobs, run until SIGINT/SIGTERM or every adapter has finished.

    Stopping: no new event is taken, the one in hand gets `grace` seconds to finish, then the adapters stop in
    reverse order. What is still owed stays in the outbox and is done at the next start."""
    from bot.linking import attach_link_commands
    from bot.relay import RunningRelay, attach_staff_commands, start_relay
    from bot.scheduler import build_scheduler
    from bot.web import attach_desk_login, desk_running

    grace = core.settings.bot.stop_grace_s if grace is None else grace
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    started: list[Adapter] = []
    scheduler = build_scheduler(core, adapters)
    relay: RunningRelay | None = None
    staff = attach_staff_commands(core, adapters)  # a teacher's `!mededeling` in their direct room with the bot
    attach_desk_login(
        core, adapters, staff
    )  # `!login` / `/login` answer a one-time link to the desk (when [web] is set)
    linking = attach_link_commands(core, adapters)  # `!koppel` / `/koppel`: people link their own accounts ([smtp])
    stack = AsyncExitStack()  # the review desk, when [web] is set, serves until the adapters stop
    try:
        for adapter in adapters:
            if not await _started_unless_stopped(adapter.start(core.moderator), stop):
                return  # stopped while an adapter was still waiting for its server
            started.append(adapter)
            log.info("%s adapter started", adapter.platform.value)
        scheduler.start()
        relay = start_relay(core, started, staff)  # the timetable relay, when [zermelo] is set
        await stack.enter_async_context(desk_running(core, {"scheduler": lambda: scheduler.running}, started, staff))
        closed: asyncio.Future[object] = asyncio.ensure_future(asyncio.gather(*(a.wait_closed() for a in started)))
        stopper: asyncio.Future[object] = asyncio.ensure_future(stop.wait())
        # Run until a signal, or until every adapter has ended (the console at the end of its input).
        await asyncio.wait([stopper, closed], return_when=asyncio.FIRST_COMPLETED)
        if stop.is_set():
            log.info("stopping: no new messages are taken; finishing the one in hand (up to %.0fs)", grace)
        for task in (stopper, closed):
            task.cancel()
        # Awaited, so that a cancelled wait leaves no "exception was never retrieved" behind.
        await asyncio.gather(stopper, closed, return_exceptions=True)
    finally:
        await stack.aclose()
        if relay is not None:
            await relay.stop()
        if scheduler.running:
            scheduler.shutdown(wait=False)
        if not await core.moderator.stop_taking(grace):
            log.warning("stopping with a message still in hand after %.0fs; it is finished at the next start", grace)
        if linking is not None:  # a code being mailed is sent, not cut off
            try:
                await asyncio.wait_for(linking.drain(), grace)
            except TimeoutError:
                log.warning("stopping with a linking code still being mailed; the person can ask again")
        for adapter in reversed(started):
            try:
                await adapter.stop()
            except Exception:
                log.exception("stopping the %s adapter failed", adapter.platform.value)
        log.info("stopped")
