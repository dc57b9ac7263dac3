"""Reading a teacher's `!mededeling` and `!intrekken`."""

from __future__ import annotations

import pytest

from moderation.announcements.staff import HOW, Announce, Retract, may_post, parse
from moderation.model import Person, PersonId, Role


def test_an_announcement_to_several_classes() -> None:
    assert parse("!mededeling 2b 3a: Morgen geen gym") == Announce(("2B", "3A"), "Morgen geen gym")
    assert parse("!Mededeling 2b,3a,2B :  twee\nregels ") == Announce(("2B", "3A"), "twee regels")
    assert parse("!intrekken 41") == Retract(41)


@pytest.mark.parametrize(
    "text", ["!mededeling", "!mededeling 2b", "!mededeling : tekst", "!intrekken vier", "!mededeling 2b:  "]
)
def test_a_malformed_command_says_how(text: str) -> None:
    assert parse(text) == HOW


def test_other_text_is_not_ours() -> None:
    assert parse("hoi, is er morgen gym?") is None and parse("!resolve 12") is None


def test_who_may_post_follows_r10() -> None:
    teacher = Person(PersonId("jan"), "Meneer Jansen", Role.STAFF)
    student = Person(PersonId("sanne"), "Sanne", Role.STUDENT)
    assert may_post(teacher, frozenset(), True) and not may_post(teacher, frozenset({"eva"}), False)
    assert may_post(teacher, frozenset({"jan"}), False) and not may_post(student, frozenset(), True)
