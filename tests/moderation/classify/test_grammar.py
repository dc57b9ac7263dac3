"""Who a hurtful noun is said of: nouns that name the thing itself, and swearing used as an exclamation.

Every sentence here is written for these tests (none comes from the evaluation suites)."""

from __future__ import annotations

import pytest

from moderation.classify.text_tier import TextTier
from moderation.model import Category

FLAGGED = 0.6
CLEAN = 0.3


def worst(tier: TextTier, text: str) -> float:
    return max(score for _, score in tier.classify(text).scores)


@pytest.mark.parametrize(
    "text",
    [
        "wist je dat ratten eigenlijk heel slimme dieren zijn?",
        "de ratten zijn weer uit hun kooi ontsnapt, kun jij helpen zoeken?",
        "holy shit, die goal van Gakpo",
        "shit, ik ben mijn boek vergeten bij jou thuis",
        "weet je dat kakkerlakken alles overleven?",
    ],
)
def test_a_noun_for_itself_or_an_exclamation_is_not_abuse(tier: TextTier, text: str) -> None:
    assert worst(tier, text) <= CLEAN, tier.classify(text).evidence


@pytest.mark.parametrize(
    "text",
    [
        "jij bent echt shit",
        "die joden zijn ratten",
        "alle moslims zijn ratten",
        "jullie zijn ratten",
        "you are shit",
        "weet je dat jij een rat bent",
        "wist je dat moslims ratten zijn",
        "die ratten zijn weer aan het stelen in de bus, die marokkanen",
    ],
)
def test_a_noun_said_of_someone_is_still_abuse(tier: TextTier, text: str) -> None:
    assert worst(tier, text) >= FLAGGED, tier.classify(text).evidence


@pytest.mark.parametrize(
    "text",
    [
        "vrouwen zijn gewoon minder slim dan mannen",
        "allochtonen zijn minder betrouwbaar, dat weet iedereen",
        "women are less intelligent than men",
    ],
)
def test_a_group_said_to_have_less_of_a_good_quality_is_discrimination(tier: TextTier, text: str) -> None:
    result = tier.classify(text)
    assert result.score(Category.DISCRIMINATION) >= FLAGGED, result.evidence


@pytest.mark.parametrize(
    "text",
    [
        "meisjes zijn niet minder slim dan jongens",
        "hij is minder slim dan zijn broer maar wel aardig",
        "ik ben minder slim in wiskunde dan jij",
        "dit hoofdstuk is minder belangrijk voor de toets",
    ],
)
def test_a_comparison_or_its_denial_is_not_a_put_down(tier: TextTier, text: str) -> None:
    assert worst(tier, text) <= CLEAN, tier.classify(text).evidence


@pytest.mark.parametrize(
    "text",
    [
        "de PVV is een stelletje klootzakken #tk2021",
        "die nieuwe manager is echt een hufter",
        "de scheidsrechter was een eikel vandaag",
    ],
)
def test_an_insult_noun_after_a_copula_is_said_of_its_subject(tier: TextTier, text: str) -> None:
    result = tier.classify(text)
    assert result.score(Category.INSULT) >= FLAGGED, result.evidence


@pytest.mark.parametrize(
    "text",
    [
        "mijn broer is geen idioot",
        "hij zei: 'de leraar is een klootzak' en toen kreeg hij strafwerk",
        "de leraar is geen klootzak, hij is gewoon streng",
    ],
)
def test_a_denied_or_quoted_insult_noun_stays_below_a_flag(tier: TextTier, text: str) -> None:
    assert tier.classify(text).score(Category.INSULT) < FLAGGED, tier.classify(text).evidence


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("ik hoop dat die journalist een keer flink in elkaar geslagen wordt", Category.THREAT),
        ("die vent is zo dom", Category.INSULT),
        ("ik ga die conciërge doodsteken", Category.THREAT),
    ],
)
def test_a_person_named_by_their_role_is_a_target(tier: TextTier, text: str, category: Category) -> None:
    result = tier.classify(text)
    assert result.score(category) >= FLAGGED, result.evidence


@pytest.mark.parametrize(
    "text",
    [
        "stop met pesten, dit is niet oké",
        "onze school heeft een prijs gewonnen voor het programma tegen pesten",
        "ik ga die baas killen in level 3, wie helpt",
        "tering man, ik heb alles fout",
    ],
)
def test_bullying_named_and_a_game_boss_are_not_abuse(tier: TextTier, text: str) -> None:
    assert worst(tier, text) < FLAGGED, tier.classify(text).evidence


@pytest.mark.parametrize(
    "text",
    [
        "dit is echt een idioot voorbeeld",
        "sorry for being such a dickhead yesterday",
        "that monkey in the zoo is a clever animal",
    ],
)
def test_an_insult_noun_as_an_adjective_or_said_of_no_one_is_no_insult(tier: TextTier, text: str) -> None:
    assert tier.classify(text).score(Category.INSULT) < FLAGGED, tier.classify(text).evidence


def test_a_demonstrative_points_at_someone(tier: TextTier) -> None:
    result = tier.classify("that monkey is smarter than all of you")
    assert worst(tier, "that monkey is smarter than all of you") >= FLAGGED, result.evidence
