"""`[[rooms]]`: one room's policy as the admin writes it, and the time windows and weekdays it uses."""

from __future__ import annotations

from datetime import time
from typing import Literal

from pydantic import BaseModel, field_validator

from bot.settings.common import STRICT, CategoryName, KindName, check_thresholds

DayName = Literal["ma", "di", "wo", "do", "vr", "za", "zo", "mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAY: dict[str, int] = {
    **{day: n for n, day in enumerate(("ma", "di", "wo", "do", "vr", "za", "zo"))},
    **{day: n for n, day in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
}


def parse_window(value: str) -> tuple[time, time]:
    """A window such as "08:30-15:30" as two times; a clear error for anything else."""
    start, sep, end = value.partition("-")
    try:
        if not sep:
            raise ValueError
        return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())
    except ValueError:
        raise ValueError(f'{value!r} is not a time window; write it as "08:30-15:30"') from None


class RoomSettings(BaseModel):
    model_config = STRICT

    platform: Literal["console", "matrix", "discord"]
    id: str
    name: str
    kind: KindName
    posters: list[str] = ["staff"]  # "staff" = every staff member; other entries are roster person ids
    abuse_action: Literal["delete", "flag"] = "flag"
    notify_sender: bool = True
    dry_run: bool = False
    thresholds: dict[CategoryName, float] = {}
    # R6, someone else's phone number, address, ...: "hold" (remove with a notice), "flag", or "allow";
    # unset: hold in student-run and class rooms, flag in staff-run and announcement rooms.
    personal_data: Literal["hold", "flag", "allow"] | None = None
    staff_may_join: bool = False  # a student-run room that staff may be in after all (R10)
    # R6, photos and videos: "allow" (not judged), "flag" for the mentor, or "hold" (taken down with a notice).
    media: Literal["allow", "flag", "hold"] = "allow"
    # R11 quiet hours in the [bot] timezone, e.g. "08:30-15:30" (school hours) or "22:00-07:00" (the night), on
    # `quiet_days` (Dutch or English abbreviations); "hold" removes the message with the notice, "notice" only tells.
    quiet_hours: str | None = None
    quiet_days: list[DayName] = ["ma", "di", "wo", "do", "vr", "za", "zo"]
    quiet_action: Literal["notice", "hold"] = "notice"

    @field_validator("quiet_hours")
    @classmethod
    def _a_window(cls, value: str | None) -> str | None:
        if value is not None:
            parse_window(value)
        return value

    @field_validator("thresholds")
    @classmethod
    def _in_range(cls, value: dict[str, float]) -> dict[str, float]:
        return check_thresholds(value)
