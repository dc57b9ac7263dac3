"""Reading a staff member's announcement commands, typed in their private chat with the bot:

!mededeling 2b 3a: Morgen geen gym, neem je boek mee
!mededeling om 07:30 2b: Het 1e uur vervalt            (today; also "morgen om", "op 7 dec om", "op 7-12 om")
!mededeling 2b: vervalt 3e uur wiskunde                (a template: "Het 3e uur wiskunde vervalt.")
!mededeling 2b 3a +gelezen: Inleveren vóór vrijdag      (readers confirm "Gelezen ✓"; anywhere before the colon)
!wijzig 41: nieuwe tekst
!intrekken 41
!gelezen 41                                            (how many have read it, per room)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from moderation.announcements.compose import clean
from moderation.announcements.templates import expand
from moderation.model import Platform
from moderation.texts import AnnouncementTexts

TEXT_LIMIT = 1500
MAX_DAYS_AHEAD = 60

_WHEN = (
    r"(?:(?P<day>vandaag|morgen|overmorgen|op\s+(?P<date>\d{1,2}(?:[-/]\d{1,2}|\s+[a-z]{3,9}\.?)))\s+)?"
    r"(?:om\s+(?P<hh>\d{1,2})[:.](?P<mm>\d{2})\s+)?"
)
_POST = re.compile(
    rf"^!mededeling\s+(?P<first>\+gelezen\s+)?{_WHEN}(?P<classes>[^:]+?)\s*:\s*(?P<text>.+)$", re.IGNORECASE | re.DOTALL
)
_RETRACT = re.compile(r"^!intrekken\s+(?P<code>\d{1,9})\s*$", re.IGNORECASE)
_READS = re.compile(r"^!gelezen\s+(?P<code>\d{1,9})\s*$", re.IGNORECASE)
READ_OPTION = "+gelezen"
_EDIT = re.compile(r"^!wijzig\s+(?P<code>\d{1,9})\s*:\s*(?P<text>.+)$", re.IGNORECASE | re.DOTALL)
_MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")  # as typed: "op 7 dec"
_MONTH_NAMES = {name: i + 1 for i, name in enumerate(_MONTHS)} | {
    "januari": 1,
    "februari": 2,
    "maart": 3,
    "mar": 3,
    "april": 4,
    "juni": 6,
    "juli": 7,
    "augustus": 8,
    "september": 9,
    "sept": 9,
    "oktober": 10,
    "okt": 10,
    "november": 11,
    "december": 12,
}


@dataclass(frozen=True, slots=True)
class When:
    """The moment as typed: a day (None: today) and a time of day, in the school's time zone."""

    at: time
    days_ahead: int = 0
    on: tuple[int, int] | None = None  # (day, month) for "op 7 dec"

    def resolve(self, now: datetime, timezone: ZoneInfo, say: AnnouncementTexts) -> datetime | str:
        """The moment (UTC-aware), or the reason it cannot be used, in the sender's words."""
        today = now.astimezone(timezone).date()
        if self.on is not None:
            day_of_month, month = self.on
            year = today.year + (1 if (month, day_of_month) < (today.month, today.day) else 0)
            try:
                day = date(year, month, day_of_month)
            except ValueError:
                return say.bad_date()
        else:
            day = today + timedelta(days=self.days_ahead)
        moment = datetime.combine(day, self.at, timezone)
        if moment <= now:
            return say.in_the_past(say.moment(moment, timezone))
        if moment - now > timedelta(days=MAX_DAYS_AHEAD):
            return say.too_far(MAX_DAYS_AHEAD)
        return moment.astimezone(UTC)  # stored as UTC: SQLite keeps no zone


@dataclass(frozen=True, slots=True)
class Announce:
    classes: tuple[str, ...]
    text: str
    when: When | None = None
    asks_read: bool = False  # readers confirm with "Gelezen ✓"
    # Only these of the classes' rooms (a composer's ticked boxes); None: every room of the classes.
    rooms: frozenset[tuple[Platform, str]] | None = None


@dataclass(frozen=True, slots=True)
class Retract:
    code: int


@dataclass(frozen=True, slots=True)
class Edit:
    code: int
    text: str


@dataclass(frozen=True, slots=True)
class Reads:
    code: int


Command = Announce | Retract | Edit | Reads


def parse(text: str, say: AnnouncementTexts) -> Command | str | None:
    """The command; an explanation (str, in `say`'s words) when it is one of ours but malformed; None when it is
    not ours."""
    stripped = text.strip()
    if not stripped.lower().startswith(("!mededeling", "!intrekken", "!wijzig", "!gelezen")):
        return None
    if (found := _RETRACT.match(stripped)) is not None:
        return Retract(int(found["code"]))
    if (found := _READS.match(stripped)) is not None:
        return Reads(int(found["code"]))
    if stripped.lower().startswith("!gelezen"):
        return say.how_reads()
    if (found := _EDIT.match(stripped)) is not None:
        body = clean(expand(found["text"], say), TEXT_LIMIT)
        return Edit(int(found["code"]), body) if body else say.how()
    if (found := _POST.match(stripped)) is not None:
        when = _when(found, say)
        if isinstance(when, str):
            return when
        words = [c for c in re.split(r"[\s,]+", found["classes"]) if c]
        asks_read = found["first"] is not None or any(w.lower() == READ_OPTION for w in words)
        if any(w.startswith("+") and w.lower() != READ_OPTION for w in words):
            return say.unknown_option()
        classes = tuple(dict.fromkeys(c.upper() for c in words if c.lower() != READ_OPTION))
        body = clean(expand(found["text"], say), TEXT_LIMIT)
        if classes and body:
            return Announce(classes, body, when, asks_read)
    return say.how()


def _when(found: re.Match[str], say: AnnouncementTexts) -> When | str | None:
    day, hh, mm = found["day"], found["hh"], found["mm"]
    if hh is None:
        return say.no_time() if day else None
    hour, minute = int(hh), int(mm)
    if hour > 23 or minute > 59:
        return say.bad_time()
    at = time(hour, minute)
    if not day:
        return When(at)
    lowered = day.lower()
    if lowered in ("vandaag", "morgen", "overmorgen"):
        return When(at, ("vandaag", "morgen", "overmorgen").index(lowered))
    on = _date(found["date"])
    return When(at, on=on) if on is not None else say.bad_date()


def _date(typed: str) -> tuple[int, int] | None:
    parts = re.split(r"[-/\s]+", typed.strip().lower().rstrip("."))
    if len(parts) != 2:
        return None
    day = int(parts[0])
    month = int(parts[1]) if parts[1].isdigit() else _MONTH_NAMES.get(parts[1])
    if month is None or not 1 <= month <= 12 or not 1 <= day <= 31:
        return None
    return day, month
