"""Indirect safety signals in general Dutch wording (a burden, sleeping forever, a warning to stay away, a weapon
for a lesson or a teacher) reach a reviewer; their everyday look-alikes (a knife taken camping, a beach photo of
a group, sleeping forever said laughing) do not.

Every sentence here is written for these tests (none comes from the evaluation suites or the corpus)."""

from __future__ import annotations

import pytest

from moderation.classify.text_tier import TextTier
from moderation.model import Category

REACHES = 0.5  # every safety category's threshold is at most this
CRIME = 0.95  # the speaker brings a weapon to school: critical, to leadership


def score(tier: TextTier, text: str, category: Category) -> float:
    return tier.classify(text).score(category)


def highest(tier: TextTier, text: str) -> float:
    return max(v for _, v in tier.classify(text).scores)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("ik ben mijn vrienden alleen maar tot last", Category.SELF_HARM),
        ("ik voel me echt een last voor mijn familie", Category.SELF_HARM),
        ("ik wil gewoon voor eeuwig gaan slapen", Category.SELF_HARM),
        ("was ik maar nooit geboren", Category.SELF_HARM),
        ("ik wil stoppen met leven", Category.SELF_HARM),
        ("ik heb geen reden meer om op te staan", Category.SELF_HARM),
        ("iedereen is beter af als ik er niet meer ben", Category.SELF_HARM),
        ("mijn fiets heb ik straks toch niet meer nodig", Category.SELF_HARM),
        ("wat is een dodelijke dosis van die tabletten", Category.SELF_HARM),
        ("i feel like such a burden to everyone", Category.SELF_HARM),
        ("i don't want to wake up tomorrow", Category.SELF_HARM),
        ("er gaan vrijdag doden vallen", Category.THREAT),
        ("blijf weg uit de aula als je om je leven geeft", Category.THREAT),
        ("kom dinsdag maar niet naar de kantine", Category.THREAT),
        ("die gasten gaan ervoor boeten", Category.THREAT),
        ("kijken wie er dan nog lacht", Category.THREAT),
        ("stuur me een foto in bikini", Category.SEXUAL),
        ("stuur een foto in je bikini", Category.SEXUAL),
        ("kun je een pic van jou in bikini sturen", Category.SEXUAL),
        ("stuur nudes", Category.SEXUAL),
    ],
)
def test_an_indirect_safety_signal_reaches_a_reviewer(tier: TextTier, text: str, category: Category) -> None:
    assert score(tier, text, category) >= REACHES, tier.classify(text).evidence


@pytest.mark.parametrize(
    "text",
    [
        "stuur even de foto van de groep in bikini",
        "mijn zus heeft een bikini gekocht voor de vakantie",
        "na dit weekend wil ik eeuwig slapen haha",
        "i could sleep forever lol",
        "ik ben niet tot last hoor, ik fiets zelf",
        "als we gaan kamperen neem ik mijn zakmes mee",
        "als we gaan vissen neem ik een mes mee voor het aas",
        "ik heb een nieuw mes gekregen voor de kookles",
        "mijn oude fiets heb ik niet meer nodig, wie wil hem",
    ],
)
def test_an_everyday_look_alike_stays_below_review(tier: TextTier, text: str) -> None:
    assert highest(tier, text) < REACHES, tier.classify(text).evidence


def test_a_knife_taken_camping_stays_a_threat_when_someone_is_named(tier: TextTier) -> None:
    assert score(tier, "als hij weer begint neem ik mijn mes mee op kamp", Category.THREAT) >= REACHES


@pytest.mark.parametrize(
    "text",
    [
        "ik neem een mes mee naar de biologieles",
        "morgen gaat mijn mes mee voor die lerares",
        "i'm bringing a knife for the teacher",
    ],
)
def test_a_weapon_brought_for_a_lesson_or_a_teacher_is_a_school_threat(tier: TextTier, text: str) -> None:
    result = tier.classify(text)
    assert result.score(Category.THREAT) >= CRIME, result.evidence
    assert any(e.criminal for e in result.evidence)


def test_a_weapon_and_a_teacher_without_anyone_bringing_it_is_looked_at_not_a_crime(tier: TextTier) -> None:
    result = tier.classify("de conciërge heeft een mes gevonden bij de fietsen")
    assert REACHES <= result.score(Category.THREAT) < CRIME
    assert not any(e.criminal for e in result.evidence)
