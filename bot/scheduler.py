"""When the scheduled jobs run (APScheduler, in the bot's own event loop).

- `reconcile_rooms` (R10 drift check): every few minutes; in memory, it needs the live adapters.
- `daily_digest`: on school days at `[review] digest_time`, Europe/Amsterdam (`[bot] timezone`).
- `retention`: daily at 03:30 school time; also moves incidents of reviewers who left the school to leadership.
- `withdraw_cards`: on the drift-check interval, clears the chat cards of erased incidents still queued (AVG).

The digest and retention jobs are persisted in the bot's own database (SQLAlchemyJobStore, table
`apscheduler_jobs`, created by the migrations), so that runs missed while the bot was down are noticed at start and
coalesced into one. APScheduler pickles persisted jobs, and our dependencies (database, roster, adapters) cannot be
pickled: the persisted job is therefore a named tick, and `ScheduledWork` — a listener bound to this process —
does the work when the tick has run.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from moderation.digest import DigestSink, send_digests
from moderation.incidents.retention import erase_expired
from moderation.incidents.withdrawals import queue
from moderation.jobs import CardHolder, reconcile_rooms, withdraw_pending_cards

if TYPE_CHECKING:
    from adapters.base import Adapter
    from bot.app import Core

log = logging.getLogger(__name__)

DIGEST_JOB = "daily_digest"
RETENTION_JOB = "retention"
WITHDRAW_JOB = "withdraw_cards"
PERSISTENT = "db"


async def persisted_tick() -> None:
    """The function APScheduler stores for a persisted job. It only marks the moment; see `ScheduledWork`."""
    return None


@dataclass
class ScheduledWork:
    """What the persisted ticks mean in this process, keyed by job id."""

    work: dict[str, Callable[[], Awaitable[object]]]
    tasks: set[asyncio.Task[object]] = field(default_factory=set)
    runs: list[str] = field(default_factory=list)  # job ids, in the order their work started (for tests/logs)

    def on_executed(self, event: JobExecutionEvent) -> None:
        job = self.work.get(event.job_id)
        if job is None:
            return
        self.runs.append(event.job_id)
        task: asyncio.Task[object] = asyncio.ensure_future(self._guarded(event.job_id, job))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _guarded(self, job_id: str, job: Callable[[], Awaitable[object]]) -> object:
        try:
            return await job()
        except Exception:
            log.exception("scheduled job %s failed", job_id)
            return None

    async def drain(self) -> None:
        """Wait for the work that has started (tests; a clean shutdown)."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks))


def digest_trigger(core: Core) -> CronTrigger:
    hour, minute = (int(part) for part in core.settings.review.digest_time.split(":"))
    days = ",".join(core.settings.review.school_days)
    return CronTrigger(day_of_week=days, hour=hour, minute=minute, timezone=core.settings.bot.timezone)


def retention_trigger(core: Core) -> CronTrigger:
    return CronTrigger(hour=3, minute=30, timezone=core.settings.bot.timezone)


def build_scheduler(
    core: Core, adapters: Sequence[Adapter], *, digest_sinks: Sequence[DigestSink] = ()
) -> AsyncIOScheduler:
    return build_jobs(core, adapters, digest_sinks=digest_sinks)[0]


def build_jobs(
    core: Core, adapters: Sequence[Adapter], *, digest_sinks: Sequence[DigestSink] = ()
) -> tuple[AsyncIOScheduler, ScheduledWork]:
    """The scheduler with every job, and the work its persisted ticks trigger in this process."""
    settings = core.settings
    store = SQLAlchemyJobStore(engine=core.engine)
    scheduler = AsyncIOScheduler(
        timezone=settings.bot.timezone, jobstores={"default": MemoryJobStore(), PERSISTENT: store}
    )
    scheduler.add_job(
        reconcile_rooms,
        "interval",
        minutes=settings.review.drift_check_minutes,
        args=[list(adapters)],
        id="reconcile_rooms",
        coalesce=True,  # after downtime, one check is enough
        max_instances=1,
        replace_existing=True,
    )
    sinks = [*digest_sinks, *(a for a in adapters if isinstance(a, DigestSink))]
    holders = [a for a in adapters if isinstance(a, CardHolder)]
    review = core.review

    async def digest() -> object:
        today = core.clock.now().astimezone(ZoneInfo(settings.bot.timezone)).date()
        if today in settings.review.holidays:
            log.info("no digest today (%s): a school holiday", today.isoformat())
            return None
        return await send_digests(core.sessions, core.directory, core.clock, sinks)

    async def retention() -> object:
        erased = await asyncio.to_thread(erase_expired, core.sessions, core.clock.now(), settings.review.retention_days)
        await asyncio.to_thread(queue, core.state, erased.erased)
        await withdraw_pending_cards(holders, core.state)
        moved = await asyncio.to_thread(review.reassign_departed)
        log.info("retention: erased the text of %d incident(s); reassigned %d", len(erased.erased), moved)
        return erased

    # Chat cards of erased incidents (a privacy erase on the command line, or a platform down at retention time)
    # are withdrawn on the drift-check interval, so they do not stay in reviewers' chats until the next night.
    scheduler.add_job(
        withdraw_pending_cards,
        "interval",
        minutes=settings.review.drift_check_minutes,
        args=[holders, core.state],
        id=WITHDRAW_JOB,
        coalesce=True,
        max_instances=1,
        replace_existing=True,
    )
    work = ScheduledWork({DIGEST_JOB: digest, RETENTION_JOB: retention})
    scheduler.add_listener(work.on_executed, EVENT_JOB_EXECUTED)
    for job_id, trigger in ((DIGEST_JOB, digest_trigger(core)), (RETENTION_JOB, retention_trigger(core))):
        _keep_or_add(scheduler, store, job_id, trigger)
    return scheduler, work


def _keep_or_add(scheduler: AsyncIOScheduler, store: SQLAlchemyJobStore, job_id: str, trigger: CronTrigger) -> None:
    """Keep a stored job whose schedule is unchanged, so that a run missed during downtime still fires (once);
    replace it when the settings changed the schedule."""
    try:
        existing = store.lookup_job(job_id)
    except Exception:  # an unreadable pickle (e.g. after an APScheduler upgrade): start this job afresh
        log.warning("the stored %s job could not be read; scheduling it anew", job_id)
        with suppress(JobLookupError):
            store.remove_job(job_id)
        existing = None
    if existing is not None and repr(existing.trigger) == repr(trigger):
        return
    scheduler.add_job(
        persisted_tick,
        trigger,
        id=job_id,
        jobstore=PERSISTENT,
        coalesce=True,  # several missed runs: one digest, not one per missed day
        misfire_grace_time=None,  # however late: a digest after downtime beats none
        max_instances=1,
        replace_existing=True,
    )
