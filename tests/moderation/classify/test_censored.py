"""Which known words a censored spelling may stand for."""

from __future__ import annotations

from moderation.classify.censored import MAX_MARKS, CensoredWords

WORDS = CensoredWords(["kanker", "kinker", "tiefus", "tyfus", "sluiten", "slet", "slot", "hier", "hoer", "wifi", "zo"])


def test_each_mark_is_one_letter_with_the_letters_around_it_in_place() -> None:
    assert WORDS.fits("k*nker") == ["kanker", "kinker"]
    assert WORDS.fits("sl*t") == ["slet", "slot"]
    assert WORDS.fits("h**r") == ["hier", "hoer"]
    assert WORDS.fits("sl*iten") == ["sluiten"]
    assert WORDS.fits("t**fus") == ["tiefus"]  # two marks, two letters: not tyfus while a word fits so


def test_where_no_word_fits_a_run_may_stand_for_one_letter_more_or_fewer() -> None:
    assert WORDS.fits("t***fus") == ["tiefus", "tyfus"]
    assert WORDS.fits("s*uiten") == ["sluiten"]


def test_what_is_no_censored_word_fits_nothing() -> None:
    assert WORDS.fits("*anker") == WORDS.fits("kanke*") == []  # a mark at an edge hides where the word ends
    assert WORDS.fits("k" + "*" * (MAX_MARKS + 1) + "r") == []
    assert WORDS.fits("z*") == WORDS.fits("kanker") == WORDS.fits("q*zz") == []


def test_prefixes_that_no_word_has_and_letters_beyond_the_alphabet_find_nothing() -> None:
    assert WORDS.fits("zz*zz") == []
    assert WORDS.fits("w*f'") == []
    assert CensoredWords([]).fits("k*nker") == []


def test_many_words_beginning_alike_are_told_apart_by_their_endings() -> None:
    letters = "abcdefghijklmnopqrstuvwxyz"
    many = CensoredWords([f"n{a}{b}x" for a in letters for b in letters] + ["niet", "slet", "kanker", "kinker"])
    assert many.fits("n*et") == ["niet"]  # found among the words ending alike, of which "slet" begins otherwise
    assert many.fits("n*zx") == [f"n{a}zx" for a in letters]
