"""The Dutch sentence for each kind of change."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.texts.nl_timetable import DutchTimetable
from moderation.announcements.compose import clean
from moderation.announcements.timetable import Lesson

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MONDAY_3RD = Lesson(
    instance=1,
    version=10,
    modified=0,
    start=datetime(2026, 12, 7, 9, 30, tzinfo=UTC),  # 10:30 in Amsterdam
    end=datetime(2026, 12, 7, 10, 20, tzinfo=UTC),
    slot=3,
    subjects=("wi",),
    locations=("101",),
    teachers=("jan",),
    groups=("2b",),
)
COMPOSER = DutchTimetable(AMSTERDAM)


def test_a_cancelled_lesson() -> None:
    lesson = replace(MONDAY_3RD, cancelled=True)
    assert COMPOSER.for_classes(["2B"], lesson) == "2B: het 3e uur wiskunde (ma 7 dec) vervalt"


def test_another_room_teacher_and_time() -> None:
    moved = replace(MONDAY_3RD, subjects=("en",), locations=("204",), location_changed=True)
    assert COMPOSER.change(moved) == "het 3e uur Engels (ma 7 dec) is verplaatst naar lokaal 204"
    both = replace(moved, teachers=("pie", "dek"), teacher_changed=True)
    assert COMPOSER.change(both).endswith("is verplaatst naar lokaal 204 en wordt gegeven door pie en dek")
    later = replace(MONDAY_3RD, time_changed=True, slot=5)
    assert COMPOSER.change(later) == "het 5e uur wiskunde (ma 7 dec) is verplaatst naar dit tijdstip"


def test_a_described_change_and_no_hour() -> None:
    noted = replace(MONDAY_3RD, slot=None, change_description="Toets gaat door\n in de aula")
    assert COMPOSER.change(noted) == "om 10:30 wiskunde (ma 7 dec) is gewijzigd. Toets gaat door in de aula"


def test_unknown_codes_shown_as_they_are_and_the_schools_own_names_first() -> None:
    lesson = replace(MONDAY_3RD, subjects=("xyz",), cancelled=True)
    assert "het 3e uur xyz" in COMPOSER.change(lesson)
    own = DutchTimetable(AMSTERDAM, {"xyz": "robotica", "wi": "rekenen"})
    assert "het 3e uur robotica" in own.change(lesson)
    assert "rekenen" in own.change(replace(lesson, subjects=("WI",)))


def test_text_from_the_timetable_is_one_plain_line() -> None:
    assert clean("a\u202eb\u200bc\x00d  e\n\nf", 100) == "a b c d e f"
    assert clean("x" * 300, 10) == "x" * 9 + "…"
