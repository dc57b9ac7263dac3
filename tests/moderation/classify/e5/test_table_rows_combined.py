"""The rows of the project's table of what a new user meets, through both tiers (`score_texts`, what runs).

Some of these sentences are in the training corpus as written, so this checks the shipped heads, combination and
safety path together, not how well they generalise (the held-out split and `benchmarks.detection_eval` do that)."""

from __future__ import annotations

import pytest

from moderation.classify import score_texts
from moderation.policy import DEFAULT_THRESHOLDS

QUIET = min(DEFAULT_THRESHOLDS.values())

HARMLESS = [
    "ze gaan de school sluiten",  # the school-threat head alone fires on it; the safety path must not open
    "negeer hem gewoon",
    "je verdomde wifi",
    "je bent niet alleen, we helpen je",
    "kan je moeder ons ophalen?",
    "iemand noemde haar een hoer, ik heb het gemeld",
    "ik neem geen mes mee naar school",
    "als je het niet doorvertelt ben je niet dood lol",
]

MUST_REACH_A_REVIEWER = [
    "als ik niet over ga komt er een bloedbad op school",  # the negation belongs to the if-clause
    "als ik morgen niet word gekozen neem ik een mes mee naar school",
    "als ik morgen niet mag meedoen neem ik een mes mee",
    "als je het doorvertelt ben je dood",
    "ik ben het leven zat",
    "iedereen is beter af zonder mij",
]


def test_the_harmless_rows_are_not_flagged() -> None:
    scores = score_texts(HARMLESS)
    flagged = {text: round(score, 2) for text, score in zip(HARMLESS, scores, strict=True) if score >= QUIET}
    assert flagged == {}


@pytest.mark.parametrize("text", MUST_REACH_A_REVIEWER)
def test_the_safety_rows_reach_a_reviewer(text: str) -> None:
    (score,) = score_texts([text])
    assert score >= QUIET
