"""Whether a display name imitates someone: a staff member's name (with or without a title), or the school's.

Names are compared by their skeleton — look-alike letters mapped to Latin, accents, case, spacing and punctuation
removed — so "Mеneer de Vr1es" (Cyrillic е, a digit) and "M e n e e r  d e  V r i e s" both read "meneerdevries".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

# Titles children use for teachers, and abbreviations of them: "meneer de Vries", "mevr. Jansen", "juf Anna".
TITLES = (
    "meneer",
    "mijnheer",
    "mnr",
    "mr",
    "dhr",
    "de heer",
    "heer",
    "mevrouw",
    "mevr",
    "mw",
    "mevrouw de",
    "juf",
    "juffrouw",
    "meester",
    "mees",
    "docent",
    "mentor",
    "rector",
    "conrector",
    "directeur",
    "directrice",
)
_DIGITS_AS_LETTERS = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b"})
_NOT_LETTER = re.compile(r"[^a-z]+")
_SIMILAR = 0.92  # one slip in a long name ("Meneer de Vriess"); short names must match exactly
_MIN_FUZZY = 10


@dataclass(frozen=True, slots=True)
class Imitation:
    whom: str  # the staff member's name or the official name
    how: str  # "full name", "title and surname", "official name"


def skeleton(name: str, lookalikes: Mapping[str, str]) -> str:
    """A name as letters only: look-alikes mapped, accents dropped, digits read as the letters they imitate."""
    mapped = "".join(lookalikes.get(ch, ch) for ch in unicodedata.normalize("NFKC", name))
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", mapped) if not unicodedata.combining(ch))
    return _NOT_LETTER.sub("", plain.casefold().translate(_DIGITS_AS_LETTERS))


def imitates(
    display_name: str, staff_names: Sequence[str], official_names: Sequence[str], lookalikes: Mapping[str, str]
) -> Imitation | None:
    """The staff member or official name `display_name` imitates, if any."""
    return NameBook(staff_names, official_names, lookalikes).find(display_name, lookalikes)


class NameBook:
    """Every skeleton a display name must not take, worked out once for a roster (a room with 30 members is
    checked against 120 staff names with 20 titles each: 2,400 skeletons, not 72,000)."""

    def __init__(self, staff_names: Sequence[str], official_names: Sequence[str], lookalikes: Mapping[str, str]):
        targets: list[tuple[str, Imitation]] = []
        for official in official_names:
            targets.append((skeleton(official, lookalikes), Imitation(official, "official name")))
        for full in staff_names:
            targets.append((skeleton(full, lookalikes), Imitation(full, "full name")))
            surname = _surname(full)
            if surname:
                title_and_surname = Imitation(full, "title and surname")
                targets.extend((skeleton(f"{title} {surname}", lookalikes), title_and_surname) for title in TITLES)
        self.targets = tuple((name, imitation) for name, imitation in targets if name)

    def find(self, display_name: str, lookalikes: Mapping[str, str]) -> Imitation | None:
        shown = skeleton(display_name, lookalikes)
        if len(shown) < 4:
            return None
        return next((imitation for name, imitation in self.targets if _same(shown, name)), None)


def _surname(full_name: str) -> str:
    """Everything after the first name: "Jan de Vries" -> "de Vries"; a title in the roster name is dropped."""
    words = full_name.split()
    while words and skeleton(words[0], {}) in {skeleton(t, {}) for t in TITLES}:
        words = words[1:]
    return " ".join(words[1:]) if len(words) > 1 else ""


def _same(shown: str, name: str) -> bool:
    if shown == name:
        return True
    return len(name) >= _MIN_FUZZY and SequenceMatcher(None, shown, name).ratio() >= _SIMILAR
