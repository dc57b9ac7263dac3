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
    shown = skeleton(display_name, lookalikes)
    if len(shown) < 4:
        return None
    for official in official_names:
        if _same(shown, skeleton(official, lookalikes)):
            return Imitation(official, "official name")
    for full in staff_names:
        if _same(shown, skeleton(full, lookalikes)):
            return Imitation(full, "full name")
        surname = _surname(full)
        if not surname:
            continue
        for title in TITLES:
            if _same(shown, skeleton(f"{title} {surname}", lookalikes)):
                return Imitation(full, "title and surname")
    return None


def _surname(full_name: str) -> str:
    """Everything after the first name: "Jan de Vries" -> "de Vries"; a title in the roster name is dropped."""
    words = full_name.split()
    while words and skeleton(words[0], {}) in {skeleton(t, {}) for t in TITLES}:
        words = words[1:]
    return " ".join(words[1:]) if len(words) > 1 else ""


def _same(shown: str, name: str) -> bool:
    if not name:
        return False
    if shown == name:
        return True
    return len(name) >= _MIN_FUZZY and SequenceMatcher(None, shown, name).ratio() >= _SIMILAR
