"""Reading a teacher's `!mededeling`, `!wijzig` and `!intrekken`, the moment of a scheduled one, and the templates."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.texts.nl import DUTCH
from moderation.announcements.commands import Announce, Edit, Retract, When, parse
from moderation.announcements.composer import may_post
from moderation.announcements.templates import expand
from moderation.model import Person, PersonId, Role

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SAY = DUTCH.announcements
MONDAY_7 = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)  # 07:00 in Amsterdam


def test_an_announcement_to_several_classes() -> None:
    assert parse("!mededeling 2b 3a: Morgen geen gym", SAY) == Announce(("2B", "3A"), "Morgen geen gym")
    assert parse("!Mededeling 2b,3a,2B :  twee\nregels ", SAY) == Announce(("2B", "3A"), "twee regels")
    assert parse("!intrekken 41", SAY) == Retract(41)
    assert parse("!wijzig 41: toch wel gym", SAY) == Edit(41, "toch wel gym")


def test_a_scheduled_announcement() -> None:
    assert parse("!mededeling om 07:30 2a 2b: Eerste uur vervalt", SAY) == Announce(
        ("2A", "2B"), "Eerste uur vervalt", When(time(7, 30))
    )
    assert parse("!mededeling morgen om 7.30 2a: x", SAY) == Announce(("2A",), "x", When(time(7, 30), 1))
    assert parse("!mededeling op 9 dec om 08:15 2a: x", SAY) == Announce(("2A",), "x", When(time(8, 15), on=(9, 12)))
    assert parse("!mededeling op 9-12 om 08:15 2a: x", SAY) == Announce(("2A",), "x", When(time(8, 15), on=(9, 12)))


def test_the_moment_is_read_in_the_school_time_zone() -> None:
    assert When(time(7, 30)).resolve(MONDAY_7, AMSTERDAM, SAY) == datetime(2026, 12, 7, 6, 30, tzinfo=UTC)
    assert When(time(7, 30), 1).resolve(MONDAY_7, AMSTERDAM, SAY) == datetime(2026, 12, 8, 6, 30, tzinfo=UTC)
    assert When(time(6, 30)).resolve(MONDAY_7, AMSTERDAM, SAY) == SAY.in_the_past("ma 7 dec om 06:30")
    assert When(time(8, 0), on=(1, 12)).resolve(MONDAY_7, AMSTERDAM, SAY) == SAY.too_far(60)  # next year's
    assert When(time(8, 0), on=(31, 11)).resolve(MONDAY_7, AMSTERDAM, SAY) == SAY.bad_date()


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("!mededeling morgen 2b: x", SAY.no_time()),
        ("!mededeling om 25:00 2b: x", SAY.bad_time()),
        ("!mededeling op 9 foo om 08:00 2b: x", SAY.bad_date()),
    ],
)
def test_a_bad_moment_is_explained(text: str, answer: str) -> None:
    assert parse(text, SAY) == answer


@pytest.mark.parametrize(
    "text",
    ["!mededeling", "!mededeling 2b", "!mededeling : tekst", "!intrekken vier", "!mededeling 2b:  ", "!wijzig 3"],
)
def test_a_malformed_command_says_how(text: str) -> None:
    assert parse(text, SAY) == SAY.how()


def test_other_text_is_not_ours() -> None:
    assert parse("hoi, is er morgen gym?", SAY) is None and parse("!resolve 12", SAY) is None


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("vervalt 3e uur wiskunde", "Het 3e uur wiskunde vervalt."),
        ("Vervalt: wiskunde van het 3e uur.", "Wiskunde van het 3e uur vervalt."),
        ("lokaal 3e uur wiskunde naar B12", "Het 3e uur wiskunde is verplaatst naar lokaal B12."),
        ("lokaalwijziging Engels 2e uur naar lokaal 104", "Engels 2e uur is verplaatst naar lokaal 104."),
        ("toets wiskunde verplaatst naar do 10 dec", "De toets wiskunde is verplaatst naar do 10 dec."),
        ("Neem je gymspullen mee", "Neem je gymspullen mee"),
    ],
)
def test_templates_for_the_common_cases(typed: str, read: str) -> None:
    assert expand(typed, SAY) == read
    assert parse(f"!mededeling 2b: {typed}", SAY) == Announce(("2B",), read)


def test_who_may_post_follows_r10() -> None:
    teacher = Person(PersonId("jan"), "Meneer Jansen", Role.STAFF)
    student = Person(PersonId("sanne"), "Sanne", Role.STUDENT)
    assert may_post(teacher, frozenset(), True) and not may_post(teacher, frozenset({"eva"}), False)
    assert may_post(teacher, frozenset({"jan"}), False) and not may_post(student, frozenset(), True)
