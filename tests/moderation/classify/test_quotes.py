"""Quotes in single marks are read as quotes; the Dutch apostrophe is not a quote mark.

Every sentence here is written for these tests (none comes from the evaluation suites)."""

from __future__ import annotations

import pytest

from moderation.classify.quotes import quoted_spans
from moderation.classify.text_tier import TextTier
from moderation.model import Category


def quoted(text: str) -> list[str]:
    return [text[start + 1 : end] for start, end in quoted_spans(text)]


def test_single_marks_quote_like_double_marks() -> None:
    assert quoted("hij zei 'blijf weg' en liep door") == ["blijf weg"]
    assert quoted("'ga weg', riep ze") == ["ga weg"]
    assert quoted("ze zei \"kom op\" en hij 'nee'") == ["kom op", "nee"]


@pytest.mark.parametrize(
    "text",
    [
        "homo's en hetero's zitten in dezelfde klas",
        "'s avonds train ik, 't is zwaar",
        "z'n fiets staat bij m'n huis",
        "in de jaren '90 was alles anders",
        "dat is Thomas' fiets",
        "hij zei 'ik kom zo en liep weg",  # opened, never closed: nothing is quoted
    ],
)
def test_apostrophes_quote_nothing(text: str) -> None:
    assert quoted_spans(text) == []


def test_an_apostrophe_inside_a_quote_does_not_end_it() -> None:
    assert quoted("ze schreef 'z'n moeder is 's nachts weg' eronder") == ["z'n moeder is 's nachts weg"]


def test_single_marks_inside_double_marks_are_one_quote() -> None:
    text = "\"hij zei 'stop' tegen mij\" vertelde ze"
    assert quoted(text) == ["hij zei 'stop' tegen mij"]


@pytest.mark.parametrize("marks", [("'", "'"), ("\u2018", "\u2019")])
def test_a_statement_quoted_in_single_marks_to_condemn_it_is_softened(tier: TextTier, marks: tuple[str, str]) -> None:
    left, right = marks
    condemned = f"in de les bespraken we {left}vrouwen zijn dom{right} als voorbeeld van seksisme"
    plain = "vrouwen zijn dom"
    assert tier.classify(plain).score(Category.DISCRIMINATION) >= 0.5
    assert max(s for _, s in tier.classify(condemned).scores) < 0.5


@pytest.mark.parametrize("marks", [("'", "'"), ("\u2018", "\u2019")])
def test_aimed_abuse_quoted_in_single_marks_stays_abuse(tier: TextTier, marks: tuple[str, str]) -> None:
    left, right = marks
    result = tier.classify(f"{left}jij bent echt een smerige slet{right} zei hij tegen haar")
    assert result.score(Category.INSULT) >= 0.5


@pytest.mark.parametrize(
    "text",
    [
        'fwd: "lotte is een dikke lelijke koe, deel dit als je het ermee eens bent" 😂',
        'zoals rik het zei: "thijs is een vieze mongool die niemand hier wil hebben"',
    ],
)
def test_quoted_abuse_about_a_named_classmate_still_hurts(tier: TextTier, text: str) -> None:
    assert max(v for _, v in tier.classify(text).scores) >= 0.5, text


@pytest.mark.parametrize(
    "text",
    [
        "ze noemden mij een vieze turk in de bus, ik heb het aan meneer verteld",
        "kan de mod dat bericht verwijderen waarin ze mij een hoer noemen",
        "mijn vriendin kreeg een dm: 'je bent zo lelijk', ze heeft het account gerapporteerd",
    ],
)
def test_abuse_received_and_reported_is_counter_speech(tier: TextTier, text: str) -> None:
    assert max(score for _, score in tier.classify(text).scores) < 0.5, tier.classify(text).evidence


def test_telling_others_to_call_someone_names_is_not_a_report(tier: TextTier) -> None:
    assert tier.classify("iedereen noem hem morgen aap bij binnenkomst").score(Category.INSULT) >= 0.8
