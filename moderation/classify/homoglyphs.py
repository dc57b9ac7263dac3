"""Characters that look like Latin letters: a hand-kept table for what Unicode's confusables.txt does not map to
one Latin letter (plus ligatures and curly quotes), and the generated confusables map in data/lookalikes.txt."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources

# Look-alikes that Unicode's confusables.txt does not map to a single Latin letter (the generated map in
# data/lookalikes.txt covers the rest), plus ligatures and curly quotes.
HOMOGLYPHS = {
    "а": "a",
    "в": "b",
    "е": "e",
    "ё": "e",
    "к": "k",
    "м": "m",
    "н": "h",
    "о": "o",
    "р": "p",
    "с": "c",
    "т": "t",
    "у": "y",
    "х": "x",
    "ѕ": "s",
    "і": "i",
    "ї": "i",
    "ј": "j",
    "ԁ": "d",
    "ɡ": "g",
    "ⅼ": "l",
    "α": "a",
    "β": "b",
    "ε": "e",
    "η": "n",
    "ι": "i",
    "κ": "k",
    "ν": "v",
    "ο": "o",
    "ρ": "p",
    "τ": "t",
    "υ": "u",
    "χ": "x",
    "ω": "w",
    "μ": "u",
    "ς": "s",
    "σ": "o",
    "γ": "y",
    "ı": "i",
    "ł": "l",
    "ø": "o",
    "đ": "d",
    "ß": "ss",
    "æ": "ae",
    "œ": "oe",
    "‘": "'",
    "’": "'",
    "‛": "'",
    "`": "'",
    "´": "'",
    "“": '"',
    "”": '"',
    "„": '"',
    "«": '"',
    "»": '"',
    "‹": '"',
    "›": '"',
}
# Capitals that look Latin only as capitals (Greek Ν looks like N, but its small ν like v): mapped before folding.
HOMOGLYPHS_UPPER = {
    "Α": "a",
    "Β": "b",
    "Ε": "e",
    "Ζ": "z",
    "Η": "h",
    "Ι": "i",
    "Κ": "k",
    "Μ": "m",
    "Ν": "n",
    "Ο": "o",
    "Ρ": "p",
    "Τ": "t",
    "Υ": "y",
    "Χ": "x",
    "А": "a",
    "В": "b",
    "Е": "e",
    "К": "k",
    "М": "m",
    "Н": "h",
    "О": "o",
    "Р": "p",
    "С": "c",
    "Т": "t",
    "У": "y",
    "Х": "x",
    "Ѕ": "s",
    "І": "i",
    "Ј": "j",
}


@cache
def bundled_lookalikes() -> Mapping[str, str]:
    """The generated confusables map (data/lookalikes.txt): character -> the Latin letter it looks like."""
    data = resources.files("moderation.classify") / "data" / "lookalikes.txt"
    out: dict[str, str] = {}
    for line in data.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            code, letter = line.split("\t")
            out[chr(int(code, 16))] = letter
    return out
