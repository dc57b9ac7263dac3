"""Helpers for the announcement tests: a relay on a real core, reading the fake Zermelo portal over HTTP."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from adapters.zermelo.client import ZermeloClient, ZermeloConfig
from bot.app import Core
from bot.relay import build_relay
from moderation.announcements.ports import Announcer
from moderation.announcements.relay import TimetableRelay
from tests.support.core import make_core
from tests.support.fake_zermelo.week import TOKEN
from tests.support.fakes import FixedClock

# Sunday evening before the week (18:00 in Amsterdam): outside the quiet hours.
SUNDAY_EVENING = datetime(2026, 12, 6, 17, 0, tzinfo=UTC)


def zermelo_settings(portal_url: str, **extra: Any) -> dict[str, Any]:
    return {"zermelo": {"portal": portal_url, "days_ahead": 7, "poll_minutes": 0.002, **extra}}


def relay_core(tmp_path: Path, rooms: list[dict[str, Any]], portal_url: str, **kwargs: Any) -> Core:
    extra = {**zermelo_settings(portal_url, **kwargs.pop("zermelo", {})), **kwargs.pop("extra_settings", {})}
    return make_core(tmp_path, rooms=rooms, with_classifier=False, extra_settings=extra, **kwargs)


def make_relay(core: Core, announcers: Sequence[Announcer], portal_url: str, *, token: str = TOKEN) -> TimetableRelay:
    source = ZermeloClient(ZermeloConfig(portal_url, timeout_s=3.0), token)
    relay = build_relay(core, announcers, source=source)
    assert relay is not None
    return relay


def clock_at(moment: datetime = SUNDAY_EVENING) -> FixedClock:
    return FixedClock(moment)
