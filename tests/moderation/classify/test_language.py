"""Telling an English sentence from a Dutch one by the function words only one language has."""

from __future__ import annotations

import pytest

from moderation.classify.language import DUTCH_ONLY, ENGLISH_ONLY, is_english


def test_no_function_word_is_counted_for_both_languages() -> None:
    assert not DUTCH_ONLY & ENGLISH_ONLY


@pytest.mark.parametrize(
    ("sentence", "english"),
    [
        ("i will hang you", True),
        ("they should hang all of them", True),
        ("ik hang bij de kluisjes kom je", False),
        ("hang je jas aan de kapstok", False),
        ("we die", False),  # "we" and "die" are words of both languages: nothing to go on
    ],
)
def test_a_sentence_is_english_with_more_english_only_words(sentence: str, english: bool) -> None:
    assert is_english(sentence.split()) is english
