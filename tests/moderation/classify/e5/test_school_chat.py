"""Both tiers together on school chat: ordinary school logistics stays quiet, while a weapon or violence at school,
a hint of self-harm or a demand for nude pictures always reaches a reviewer.

None of these sentences is in the training corpus: they test that the heads learnt what a threat is, not that
"school" or "morgen" is one."""

from __future__ import annotations

import pytest

from moderation.classify import score_texts
from moderation.policy import DEFAULT_THRESHOLDS

# The lowest threshold of any category: a score below it is flagged in no room with the default policy.
QUIET = min(DEFAULT_THRESHOLDS.values())

HARMLESS = [
    "ik neem mijn gitaar mee naar school",
    "negeer hem gewoon",
    "zullen we na school naar de stad?",
    "neem jij morgen je bal mee naar het veld?",
    "morgen na school eerst tandarts, daarna kom ik",
    "ik wacht op je bij de fiets na het zesde uur",
    "wie brengt er morgen de muziekboxen mee naar de aula",
    "de juf zei dat we morgen onze tekenmap mee moeten nemen",
    "na school samen oefenen voor de dansvoorstelling?",
]

MUST_REACH_A_REVIEWER = [
    "ik neem morgen een mes mee naar school",
    "ik schiet de hele school overhoop",
    "morgen na school steek ik je neer",
    "ik ben het leven zat",
    "iedereen is beter af zonder mij",
    "stuur me een naaktfoto van jezelf of ik zet je gesprekken online",
]


def test_ordinary_school_logistics_is_not_flagged() -> None:
    scores = score_texts(HARMLESS)
    flagged = {text: round(score, 2) for text, score in zip(HARMLESS, scores, strict=True) if score >= QUIET}
    assert flagged == {}


@pytest.mark.parametrize("text", MUST_REACH_A_REVIEWER)
def test_safety_critical_messages_reach_a_reviewer(text: str) -> None:
    (score,) = score_texts([text])
    assert score >= QUIET
