"""Weapons and the school: attacks on the school in many words reach leadership; fixed expressions, a time after
school and whose school it is do not make a school threat.

Every sentence here is written for these tests (none comes from the evaluation suites)."""

from __future__ import annotations

import pytest

from moderation.classify.text_tier import TextTier
from moderation.model import Category

FLAGGED = 0.6


@pytest.mark.parametrize(
    "text",
    [
        "schiet op, we gaan naar school",
        "mijn school schiet echt tekort met die roosterwijzigingen",
        "mn moeder schiet altijd in de stress als we naar school moeten",
        "ik schiet je een berichtje als ik op school ben",
        "wie wil morgen na school bij mij smash spelen",
        "we gaan ballonnen opblazen voor het schoolfeest",
    ],
)
def test_a_fixed_expression_or_a_time_after_school_is_no_school_threat(tier: TextTier, text: str) -> None:
    result = tier.classify(text)
    assert result.score(Category.THREAT) < FLAGGED, result.evidence
    assert not any(e.criminal for e in result.evidence)


@pytest.mark.parametrize(
    "text",
    [
        "morgen wordt de school opgeblazen",
        "we blazen morgen de school op",
        "iemand gaat morgen de school in brand steken",
        "er ligt een bom in de school",
        "schiet op hem morgen op school",
        "ik schiet de hele school overhoop",
        "ik neem morgen een mes mee naar school",
        "i will shoot up the school tomorrow",
        "ik ga schieten op school, zeg het tegen niemand",
        "gonna bring my dad's gun to school tomorrow",
    ],
)
def test_an_attack_on_the_school_reaches_a_reviewer(tier: TextTier, text: str) -> None:
    assert tier.classify(text).score(Category.THREAT) >= 0.85, tier.classify(text).evidence


def test_whose_school_it_is_does_not_make_the_speaker_the_attacker(tier: TextTier) -> None:
    result = tier.classify("de gemeente gaat onze oude school slopen")
    assert not any(e.criminal for e in result.evidence), result.evidence
