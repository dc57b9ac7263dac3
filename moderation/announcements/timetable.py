"""One version of one timetable appointment, as the core sees it (the Zermelo adapter translates into this).

A lesson keeps its `instance` across versions; each change makes a new `version` (the old one stops being
valid). Only valid versions are passed on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Lesson:
    instance: int  # the same lesson across its versions
    version: int  # this version's own id
    modified: int  # when this version was last changed (unix seconds), part of what was posted
    start: datetime  # aware, UTC
    end: datetime
    slot: int | None  # the lesson hour ("3e uur"); None for appointments outside the hour grid
    subjects: tuple[str, ...]
    locations: tuple[str, ...]
    teachers: tuple[str, ...]
    groups: tuple[str, ...]
    cancelled: bool = False
    teacher_changed: bool = False
    location_changed: bool = False
    time_changed: bool = False
    change_description: str = ""
    scheduler_remark: str = ""

    @property
    def is_change(self) -> bool:
        """Something students must be told: cancelled, another room, teacher or time, or a described change."""
        return (
            self.cancelled
            or self.teacher_changed
            or self.location_changed
            or self.time_changed
            or bool(self.change_description)
        )

    @property
    def version_key(self) -> str:
        return f"{self.version}:{self.modified}"


@dataclass(frozen=True, slots=True)
class TimetableNews:
    """A school announcement from the timetable system (shown to everyone it was addressed to)."""

    id: int
    title: str
    text: str
    start: datetime
    end: datetime
