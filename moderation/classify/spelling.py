"""How teenagers' spellings relate to a word: its skeleton (stretched letters once), its one-letter deletions, its
Dutch and English inflection stems, and the short words that get glued to the next.
Pure string functions for the word look-up."""

from __future__ import annotations

_VOWELS = "aeiou"
# Short everyday words that get glued to the next one when a space is dropped ("eenslet", "ihate").
GLUE = frozenset(
    [
        "een",
        "de",
        "het",
        "te",
        "veel",
        "zo",
        "zulke",
        "zo'n",
        "ze",
        "zijn",
        "is",
        "ik",
        "je",
        "jij",
        "we",
        "wij",
        "die",
        "dat",
        "alle",
        "the",
        "a",
        "an",
        "so",
        "such",
        "to",
        "all",
        "are",
        "is",
        "i",
        "you",
        "we",
        "they",
        "these",
        "those",
        "massive",
        "big",
        "real",
        "just",
        "of",
    ]
)


def skeleton(word: str) -> str:
    out: list[str] = []
    for ch in word:
        if not out or out[-1] != ch:
            out.append(ch)
    return "".join(out)


def deletions(word: str) -> list[str]:
    """The word with one letter left out, each once, from the first letter to the last: a fixed order, so the
    look-up that takes the first fit answers the same in every process (a set's order follows the hash seed)."""
    return list(dict.fromkeys(word[:i] + word[i + 1 :] for i in range(len(word))))


# Endings an English word takes ("retards", "bitches", "trolled"); a Dutch ending on an English word ("douchen")
# mostly makes an ordinary Dutch word.
ENGLISH_ENDINGS = ("'s", "s", "es", "ed", "d", "ing", "ers", "er")


def stems(word: str) -> list[str]:
    """Candidate lemmas for Dutch and English inflection (plural, adjective -e, verb endings)."""
    out: list[str] = []
    for suffix in ("'s", "s", "en", "e", "n", "es", "ed", "d", "t", "ing", "ers", "er"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            out.append(stem)
            if len(stem) >= 2 and stem[-1] == stem[-2] and stem[-1] not in _VOWELS:
                out.append(stem[:-1])  # domme -> dom, sletten -> slet
            if len(stem) >= 3 and stem[-2] in _VOWELS and stem[-3] not in _VOWELS and stem[-1] not in _VOWELS:
                out.append(stem[:-2] + stem[-2] * 2 + stem[-1])  # idioten -> idioot, apen -> aap
    return out
