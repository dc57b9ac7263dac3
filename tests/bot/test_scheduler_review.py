"""The digest and retention jobs: school days at the configured time in Europe/Amsterdam, persisted in the bot's
own database, and runs missed while the bot was down coalesced into one."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import text

from bot.scheduler import DIGEST_JOB, PERSISTENT, RETENTION_JOB, build_jobs, digest_trigger
from moderation.digest import Digest
from moderation.model import Person
from tests.support.review import School, make_school

AMS = ZoneInfo("Europe/Amsterdam")


@dataclass
class Inbox:
    got: list[tuple[str, tuple[int, ...]]] = field(default_factory=list)

    async def send_digest(self, reviewer: Person, digest: Digest) -> bool:
        self.got.append((reviewer.id, tuple(c.id for c in digest.cards)))
        return True


def test_digest_runs_on_school_days_at_the_configured_time_in_school_time(tmp_path: Path) -> None:
    school = make_school(tmp_path, extra_settings={"review": {"digest_time": "15:45", "school_days": ["mon", "wed"]}})
    trigger = digest_trigger(school.core)
    friday_evening = datetime(2026, 11, 27, 18, 0, tzinfo=AMS)
    assert trigger.get_next_fire_time(None, friday_evening) == datetime(2026, 11, 30, 15, 45, tzinfo=AMS)  # Monday
    monday_late = datetime(2026, 11, 30, 16, 0, tzinfo=AMS)
    assert trigger.get_next_fire_time(None, monday_late) == datetime(2026, 12, 2, 15, 45, tzinfo=AMS)  # Wednesday
    summer = trigger.get_next_fire_time(None, datetime(2026, 6, 1, 8, 0, tzinfo=AMS))  # a Monday in summer time
    assert summer is not None and summer.utcoffset() == timedelta(hours=2) and (summer.hour, summer.minute) == (15, 45)


async def test_missed_digests_after_downtime_are_coalesced_into_one(tmp_path: Path, database_url: str) -> None:
    """On SQLite and on PostgreSQL: the job table is the one our migrations create."""
    school = make_school(tmp_path, database_url=database_url)
    incident = await school.incident("sanne", "[sexual] open incident")

    # First run of the bot: the jobs are stored in the bot's database. Then the bot is down for three school days.
    scheduler, _ = build_jobs(school.core, [])
    scheduler.start(paused=True)
    three_days_ago = datetime.now(AMS) - timedelta(days=3, hours=1)
    scheduler.modify_job(DIGEST_JOB, jobstore=PERSISTENT, next_run_time=three_days_ago)
    scheduler.shutdown(wait=False)
    with school.core.engine.connect() as conn:
        stored = set(conn.execute(text("SELECT id FROM apscheduler_jobs")).scalars())
    assert stored == {DIGEST_JOB, RETENTION_JOB}

    # The bot starts again: one digest for the missed days, not three.
    inbox = Inbox()
    scheduler, work = build_jobs(school.core, [], digest_sinks=[inbox])
    scheduler.start()
    try:
        await _until(lambda: DIGEST_JOB in work.runs)
        await asyncio.sleep(0.2)  # room for any further (wrong) runs to happen
        await work.drain()
        assert work.runs.count(DIGEST_JOB) == 1
        assert inbox.got == [("jan", (incident,))]
        job = scheduler.get_job(DIGEST_JOB, jobstore=PERSISTENT)
        assert job is not None and job.next_run_time > datetime.now(AMS)
    finally:
        scheduler.shutdown(wait=False)
        school.core.close()


async def test_an_unchanged_schedule_is_kept_and_a_changed_one_replaced(tmp_path: Path) -> None:
    school = make_school(tmp_path)
    scheduler, _ = build_jobs(school.core, [])
    scheduler.start(paused=True)
    marker = datetime.now(AMS) + timedelta(days=30)
    scheduler.modify_job(DIGEST_JOB, jobstore=PERSISTENT, next_run_time=marker)
    scheduler.shutdown(wait=False)

    again, _ = build_jobs(school.core, [])  # same settings: the stored next run time stays
    again.start(paused=True)
    job = again.get_job(DIGEST_JOB, jobstore=PERSISTENT)
    assert job is not None and job.next_run_time == marker
    again.shutdown(wait=False)

    moved = make_school(tmp_path / "other", extra_settings={"review": {"digest_time": "08:15"}})
    moved_scheduler, _ = build_jobs(moved.core, [])
    moved_scheduler.start(paused=True)
    job = moved_scheduler.get_job(DIGEST_JOB, jobstore=PERSISTENT)
    assert job is not None and (job.next_run_time.hour, job.next_run_time.minute) == (8, 15)
    moved_scheduler.shutdown(wait=False)


async def test_retention_job_erases_expired_text(tmp_path: Path) -> None:
    school: School = make_school(tmp_path, extra_settings={"review": {"retention_days": 30}})
    incident = await school.incident("sanne", "[sexual] oud bericht")
    jan = school.review.actor_by_id("jan")
    assert jan is not None
    school.review.resolve(incident, jan, "gesprek gevoerd")
    school.clock.advance(days=31)
    scheduler, work = build_jobs(school.core, [])
    scheduler.start(paused=True)
    scheduler.modify_job(RETENTION_JOB, jobstore=PERSISTENT, next_run_time=datetime.now(AMS) - timedelta(minutes=1))
    scheduler.resume()
    try:
        await _until(lambda: RETENTION_JOB in work.runs)
        await work.drain()
    finally:
        scheduler.shutdown(wait=False)
    card = school.review.show(incident, jan).card
    assert card is not None and card.excerpt is None and card.erased


async def _until(condition: object, timeout: float = 10.0) -> None:
    assert callable(condition)
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the scheduled job did not run")
        await asyncio.sleep(0.02)


async def test_no_digest_on_a_school_holiday(tmp_path: Path) -> None:
    school = make_school(tmp_path, extra_settings={"review": {"holidays": [school_today(tmp_path)]}})
    await school.incident("sanne", "[sexual] open incident")
    inbox = Inbox()
    _, work = build_jobs(school.core, [], digest_sinks=[inbox])
    try:
        assert await work.work[DIGEST_JOB]() is None
        assert inbox.got == []
    finally:
        school.core.close()
    other = make_school(tmp_path / "other")
    await other.incident("sanne", "[sexual] open incident")
    _, work = build_jobs(other.core, [], digest_sinks=[inbox])
    await work.work[DIGEST_JOB]()
    assert [who for who, _ in inbox.got] == ["jan"]  # on an ordinary day it is sent
    other.core.close()


def school_today(tmp_path: Path) -> date:
    """The day the test school's frozen clock shows, in school time."""
    return make_school(tmp_path / "probe").clock.now().astimezone(AMS).date()
