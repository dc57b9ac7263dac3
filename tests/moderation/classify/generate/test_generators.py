"""The shipped data files are exactly what their generators make from the pinned packages."""

from __future__ import annotations

from importlib import resources

from moderation.classify.generate import lookalikes as make_lookalikes
from moderation.classify.generate import wordlist as make_wordlist


def _shipped(name: str) -> str:
    return (resources.files("moderation.classify") / "data" / name).read_text(encoding="utf-8")


def test_the_lookalike_map_is_generated_from_confusables() -> None:
    pairs = make_lookalikes.build()
    assert _shipped("lookalikes.txt") == make_lookalikes.render(pairs)
    letters = dict(pairs)
    for char, latin in zip("ɑᴋĸօսոгһ", "akkounrh", strict=True):
        assert letters[char] == latin, char
    assert "l" not in {letters.get(c) for c in "|1"}  # ASCII is never remapped, and l/I/1 stay ambiguous


def test_the_word_lists_are_generated_from_wordfreq() -> None:
    for lang in make_wordlist.CUT_OFFS:
        assert _shipped(f"words_{lang}.txt") == make_wordlist.render(lang, make_wordlist.build(lang)), lang
