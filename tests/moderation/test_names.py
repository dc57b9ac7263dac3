"""Display names that imitate staff or the school, through look-alike letters, digits and spacing."""

from __future__ import annotations

import pytest

from moderation.classify.normalize import bundled_lookalikes
from moderation.names import imitates, skeleton

LOOKALIKES = bundled_lookalikes()
STAFF = ["Jan de Vries", "Anna Jansen", "Meneer Bakker"]
OFFICIAL = ["Minkema College", "Schoolleiding"]


def imitation(name: str) -> str | None:
    found = imitates(name, STAFF, OFFICIAL, LOOKALIKES)
    return found.whom if found else None


@pytest.mark.parametrize(
    ("display_name", "whom"),
    [
        ("Meneer de Vries", "Jan de Vries"),
        ("mnr. de vries", "Jan de Vries"),
        ("Dhr De Vries", "Jan de Vries"),
        ("M e n e e r  d e  V r i e s", "Jan de Vries"),
        ("Mеneer de Vr1es", "Jan de Vries"),  # Cyrillic е, a digit for i
        ("Jan de Vries", "Jan de Vries"),
        ("Mevr. Jansen", "Anna Jansen"),
        ("juf jansen", "Anna Jansen"),
        ("Meneer Bakker", "Meneer Bakker"),  # the roster's name itself carries a title
        ("Schoolleiding", "Schoolleiding"),
        ("ＭＩＮＫＥＭＡ ＣＯＬＬＥＧＥ", "Minkema College"),  # full-width letters
        ("Minkema Colege", "Minkema College"),  # one slip in a long name
    ],
)
def test_imitations_are_found(display_name: str, whom: str) -> None:
    assert imitation(display_name) == whom


@pytest.mark.parametrize("display_name", ["Jan", "de Vries fan", "Sanne", "vries", "xX_gamer_Xx", "Anna"])
def test_other_names_are_not(display_name: str) -> None:
    assert imitation(display_name) is None


def test_skeleton_reads_letters_only() -> None:
    assert skeleton("M.e.n.e.e.r_d3 Vr!es", LOOKALIKES) == "meneerdevres"
    assert skeleton("Zoë", LOOKALIKES) == "zoe"
