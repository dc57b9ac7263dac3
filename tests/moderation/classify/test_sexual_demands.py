"""A demand for nude pictures reaches a reviewer however the speaker names themself in it; talk about such
pictures that demands nothing stays below the threshold.

Every sentence here is written for these tests (none comes from the evaluation suites)."""

from __future__ import annotations

import pytest

from moderation.classify.text_tier import TextTier
from moderation.model import Category
from moderation.policy import DEFAULT_THRESHOLDS

SEXUAL = DEFAULT_THRESHOLDS[Category.SEXUAL]


@pytest.mark.parametrize(
    "text", ["stuur me vanavond een naaktfoto", "stuur mij ff nudes", "laat mij je tieten eens zien", "send me nudes"]
)
def test_a_demand_naming_the_speaker_is_not_about_the_speaker(tier: TextTier, text: str) -> None:
    assert tier.classify(text).score(Category.SEXUAL) >= SEXUAL


@pytest.mark.parametrize("text", ["ik wil nooit naaktfoto's sturen", "mijn zus zegt dat je nooit nudes moet sturen"])
def test_warning_against_nude_pictures_is_no_demand(tier: TextTier, text: str) -> None:
    assert tier.classify(text).score(Category.SEXUAL) < SEXUAL
