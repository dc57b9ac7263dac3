"""When the scheduled jobs run (APScheduler, in the bot's own event loop)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from moderation.jobs import reconcile_rooms

if TYPE_CHECKING:
    from adapters.base import Adapter
    from bot.app import Core


def build_scheduler(core: Core, adapters: Sequence[Adapter]) -> AsyncIOScheduler:
    settings = core.settings
    scheduler = AsyncIOScheduler(timezone=settings.bot.timezone)
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
    return scheduler
