"""What must always reach a reviewer, as teenagers write it, and the look-alikes that must not.

Every sentence here is written for these tests (none comes from the evaluation suites)."""

from __future__ import annotations

import pytest

from moderation.classify.text_tier import TextTier
from moderation.model import Category

REACHES = 0.5  # every safety category's threshold is at most this


def score(tier: TextTier, text: str, category: Category) -> float:
    return tier.classify(text).score(category)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # chat spellings of a template's grammar words: "k" for "ik", "nie"/"ni" for "niet"
        ("k wil nie meer leven", Category.SELF_HARM),
        ("ik wil ni meer leven", Category.SELF_HARM),
        ("k maak je af", Category.THREAT),
        # the speaker named as the one who would receive the pictures
        ("stuur me nudes", Category.SEXUAL),
        ("stuur me een naaktfoto", Category.SEXUAL),
        ("stuur mij even nudes", Category.SEXUAL),
        ("je moet me nudes sturen", Category.SEXUAL),
        # sextortion: pictures or secrets spread unless the person complies
        ("als je geen nudes stuurt zet ik je foto online", Category.THREAT),
        ("stuur het nu anders zet ik die foto online", Category.THREAT),
        ("stuur nog een foto of ik vertel het aan iedereen", Category.THREAT),
        ("send more or i'll post it", Category.THREAT),
        # ways of ending one's life
        ("k ga me ophangen", Category.SELF_HARM),
        ("ik hang mezelf op vanavond", Category.SELF_HARM),
        ("ik ga vanavond van de flat springen", Category.SELF_HARM),
        ("ik spring voor de trein", Category.SELF_HARM),
        # a negation in a clause after the cry for help does not take it back
        ("ik wil verdwijnen en nooit meer wakker worden", Category.SELF_HARM),
        # a warning about the school
        ("volgende week gebeurt er iets op school, blijf maar thuis", Category.THREAT),
        # a game that is denied makes the threat meant
        ("ik maak je af, en dit is geen spel", Category.THREAT),
        ("ik maak je af, dit is geen game", Category.THREAT),
    ],
)
def test_reaches_a_reviewer(tier: TextTier, text: str, category: Category) -> None:
    assert score(tier, text, category) >= REACHES, text


@pytest.mark.parametrize(
    "text",
    [
        "ik heb een 4 voor wiskunde, ik ga dood",  # dying said of oneself is how one feels
        "k ga dood van de hitte in dit lokaal",
        "ik ga je zo killen met dit spel",  # a game
        "ik stuur je de foto's van het feest door",
        "ik zet de foto's van de excursie online",
        "ik ga geen nudes sturen, ben je gek",  # refusing
        "als je wil kom je morgen toch gewoon naar school",
    ],
)
def test_stays_below_the_threshold(tier: TextTier, text: str) -> None:
    assert max(v for _, v in tier.classify(text).scores) < REACHES, text


def test_dying_said_to_someone_else_stays_a_threat(tier: TextTier) -> None:
    assert score(tier, "ik ga jou dood maken", Category.THREAT) >= REACHES
    assert score(tier, "ga dood", Category.THREAT) >= REACHES


@pytest.mark.parametrize(
    "text",
    [
        "we hadden het in de klas over de holocaust en het vergassen van joden",
        "bij geschiedenis leren we over de moord op de gebroeders de witt",
        "de wijkagent gaf op school een voorlichting over messen",
    ],
)
def test_violence_that_is_the_topic_of_a_lesson_is_no_threat(tier: TextTier, text: str) -> None:
    assert max(v for _, v in tier.classify(text).scores) < REACHES, text


@pytest.mark.parametrize(
    "text",
    [
        "ik ga een aanslag plegen op school",
        "ik neem een vuurwerkbom mee naar school en gooi hem in de kantine",
        "als je nog een keer over mij praat steek ik je neer",  # "over" with someone it is aimed at
        "we praten over die joden, ze moeten allemaal vergast worden",
    ],
)
def test_an_act_aimed_at_someone_stays_a_threat_whatever_else_is_talked_about(tier: TextTier, text: str) -> None:
    assert max(v for _, v in tier.classify(text).scores) >= REACHES, text


@pytest.mark.parametrize(
    "text",
    [
        "ik heb een afscheidsbrief geschreven",
        "ik heb pillen gespaard, het zijn er nu genoeg",
        "ik heb zoveel pillen geslikt",
    ],
)
def test_preparing_to_end_ones_life_reaches_a_reviewer(tier: TextTier, text: str) -> None:
    assert score(tier, text, Category.SELF_HARM) >= REACHES, text


def test_taking_ones_medicine_is_nothing(tier: TextTier) -> None:
    assert score(tier, "ik heb mijn pillen genomen hoor mam", Category.SELF_HARM) < REACHES


def test_a_request_with_not_is_no_denial(tier: TextTier) -> None:
    assert score(tier, "kan je niet gewoon oprotten", Category.HARASSMENT) >= REACHES
    assert score(tier, "je kan niet oprotten hoor", Category.HARASSMENT) < REACHES  # a statement: negated


def test_calling_someone_a_failure_is_an_insult_and_a_failed_test_is_not(tier: TextTier) -> None:
    assert score(tier, "jij bent echt een mislukking", Category.INSULT) >= REACHES
    assert score(tier, "je bent geen mislukking, echt niet", Category.INSULT) < REACHES
    assert score(tier, "de toets was een mislukking", Category.INSULT) < REACHES
