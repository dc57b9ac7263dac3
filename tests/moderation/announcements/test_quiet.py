"""Quiet hours, over midnight and within a day."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from moderation.announcements.quiet import QuietHours

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def test_a_night_span_in_local_time() -> None:
    night = QuietHours.parse("22:00-06:30", AMSTERDAM)
    assert night.holds(datetime(2026, 12, 7, 21, 30, tzinfo=UTC))  # 22:30 local
    assert night.holds(datetime(2026, 12, 7, 5, 0, tzinfo=UTC))  # 06:00 local
    assert not night.holds(datetime(2026, 12, 7, 5, 45, tzinfo=UTC))  # 06:45 local
    day = QuietHours.parse("12:00-13:00", AMSTERDAM)
    assert day.holds(datetime(2026, 12, 7, 11, 30, tzinfo=UTC)) and not day.holds(
        datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    )


@pytest.mark.parametrize("bad", ["22-06", "25:00-06:00", "22:00 - 06:00x", ""])
def test_a_bad_span_names_the_form(bad: str) -> None:
    with pytest.raises(ValueError, match=r"HH:MM-HH:MM|not a time of day"):
        QuietHours.parse(bad, AMSTERDAM)
