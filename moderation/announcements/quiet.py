"""Quiet hours: no new post or edit in class rooms at night (phones buzz); retractions may go at any time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

_SPAN = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


@dataclass(frozen=True, slots=True)
class QuietHours:
    start: time
    end: time
    timezone: ZoneInfo

    @classmethod
    def parse(cls, span: str, timezone: ZoneInfo) -> QuietHours:
        """From "22:00-06:30" (a span over midnight is the usual case). Raises ValueError with the expected form."""
        found = _SPAN.match(span.strip())
        if not found:
            raise ValueError(f'quiet hours {span!r}: write them as "HH:MM-HH:MM", e.g. "22:00-06:30"')
        h1, m1, h2, m2 = (int(g) for g in found.groups())
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
            raise ValueError(f"quiet hours {span!r}: not a time of day")
        return cls(time(h1, m1), time(h2, m2), timezone)

    def holds(self, moment: datetime) -> bool:
        local = moment.astimezone(self.timezone).time()
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end
