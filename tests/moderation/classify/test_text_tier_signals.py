"""Signals a reviewer must see although no one is insulted: hints of self-harm, a firearm taken along, a veiled
threat, a demand for sexual pictures; and their harmless look-alikes.

Every sentence here is written for these tests (none comes from the evaluation suites)."""

from __future__ import annotations

import pytest

from moderation.classify.text_tier import TextTier
from moderation.model import Category


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("soms denk ik dat het beter is als ik er niet meer ben", Category.SELF_HARM),
        ("ik heb gisteren weer in mijn armen gekrast", Category.SELF_HARM),
        ("wat is de snelste manier om er een eind aan te maken", Category.SELF_HARM),
        ("ik zie echt geen uitweg meer", Category.SELF_HARM),
        ("ik hou het niet meer vol", Category.SELF_HARM),
        ("wie mij morgen nog uitlacht krijgt een kogel", Category.THREAT),
        ("morgen neem ik het geweer van mijn vader mee, dan zien ze wel", Category.THREAT),
        ("stuur eens een sexy foto schatje", Category.SEXUAL),
        ("stuur een pic zonder bh", Category.SEXUAL),
    ],
)
def test_a_signal_reaches_a_reviewer(tier: TextTier, text: str, category: Category) -> None:
    result = tier.classify(text)
    assert result.score(category) >= 0.5, result.evidence


@pytest.mark.parametrize(
    "text",
    [
        "haha ik hou het niet meer vol met die grappen van jou",
        "de kogel is door de kerk, we gaan naar parijs",
        "mijn broertje neemt zijn waterpistool mee naar het strand",
        "ik heb een nerf gun gekocht voor zijn verjaardag",
        "stuur me een foto van je nieuwe shirt",
        "als ik er om vijf uur nog niet ben, begin maar zonder mij",
    ],
)
def test_a_look_alike_stays_below_a_flag(tier: TextTier, text: str) -> None:
    assert max(score for _, score in tier.classify(text).scores) < 0.5, tier.classify(text).evidence
