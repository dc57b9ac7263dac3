"""Dutch: one clear sentence per timetable change, for one class: "2B: het 3e uur wiskunde (ma 7 dec) vervalt"."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo

from moderation.announcements.compose import DESCRIPTION_LIMIT, NEWS_LIMIT, clean
from moderation.announcements.timetable import Lesson, TimetableNews

WEEKDAYS = ("ma", "di", "wo", "do", "vr", "za", "zo")
MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")

# Zermelo's usual subject codes; a school adds or overrides its own in the settings.
SUBJECT_NAMES: Mapping[str, str] = {
    "ak": "aardrijkskunde",
    "bi": "biologie",
    "bsm": "bewegen, sport en maatschappij",
    "ckv": "CKV",
    "du": "Duits",
    "ec": "economie",
    "en": "Engels",
    "entl": "Engels",
    "fa": "Frans",
    "fatl": "Frans",
    "gs": "geschiedenis",
    "in": "informatica",
    "lo": "lichamelijke opvoeding",
    "ma": "maatschappijleer",
    "mens": "mentoruur",
    "men": "mentoruur",
    "mu": "muziek",
    "na": "natuurkunde",
    "ne": "Nederlands",
    "netl": "Nederlands",
    "sk": "scheikunde",
    "te": "tekenen",
    "wa": "wiskunde A",
    "wb": "wiskunde B",
    "wi": "wiskunde",
}


@dataclass(frozen=True)
class DutchTimetable:
    timezone: tzinfo
    subject_names: Mapping[str, str] = field(default_factory=dict)

    def subject(self, lesson: Lesson) -> str:
        names = [self.subject_names.get(s.lower()) or SUBJECT_NAMES.get(s.lower()) or s for s in lesson.subjects]
        return clean(" / ".join(names), 80) or "de les"

    def day(self, lesson: Lesson) -> str:
        local = lesson.start.astimezone(self.timezone)
        return f"{WEEKDAYS[local.weekday()]} {local.day} {MONTHS[local.month - 1]}"

    def hour(self, lesson: Lesson) -> str:
        if lesson.slot is not None and lesson.slot > 0:
            return f"het {lesson.slot}e uur"
        return f"om {lesson.start.astimezone(self.timezone):%H:%M}"

    def change(self, lesson: Lesson) -> str:
        """The sentence without the class: "het 3e uur wiskunde (ma 7 dec) vervalt"."""
        what = f"{self.hour(lesson)} {self.subject(lesson)} ({self.day(lesson)})"
        if lesson.cancelled:
            sentence = f"{what} vervalt"
        else:
            news = []
            if lesson.time_changed:
                news.append("is verplaatst naar dit tijdstip")
            if lesson.location_changed and lesson.locations:
                news.append(f"{'' if news else 'is verplaatst '}naar lokaal {_listed(lesson.locations)}")
            if lesson.teacher_changed and lesson.teachers:
                news.append(f"wordt gegeven door {_listed(lesson.teachers)}")
            sentence = f"{what} {_joined(news) if news else 'is gewijzigd'}"
        note = clean(lesson.change_description, DESCRIPTION_LIMIT)
        return f"{sentence}. {note}" if note else sentence

    def for_classes(self, classes: Sequence[str], lesson: Lesson) -> str:
        return f"{'/'.join(classes)}: {self.change(lesson)}"

    def news(self, item: TimetableNews) -> str:
        title = clean(item.title, 200)
        text = clean(item.text, NEWS_LIMIT)
        return f"Mededeling: {title}" + (f"\n{text}" if text else "")


def _listed(items: Sequence[str]) -> str:
    cleaned = [clean(i, 40) for i in items if clean(i, 40)]
    if len(cleaned) <= 1:
        return "".join(cleaned)
    return ", ".join(cleaned[:-1]) + " en " + cleaned[-1]


def _joined(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " en " + parts[-1]
