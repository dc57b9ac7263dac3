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


@pytest.mark.parametrize(
    "text",
    [
        # the negation belongs to the if-clause; the main clause announces the harm
        "als ik niet over ga komt er een bloedbad op school",
        "als ik niet slaag dan schiet ik de school overhoop",
        "als ik morgen niet word gekozen neem ik een mes mee naar school",
        "als je niet oplet maak ik je dood",
        "als je niet stopt met lachen dan steek ik je neer",
        "if i dont pass i will shoot up the school",
        # conditional threats without a negation
        "als je het doorvertelt ben je dood",
        "als je dat nog eens zegt maak ik je dood",
        # the speaker brings a weapon on a condition, no place named
        "als ik morgen niet mag meedoen neem ik een mes mee",
        "geef me je geld anders neem ik morgen een mes mee",
    ],
)
def test_a_conditional_threat_is_not_softened_by_its_condition(tier: TextTier, text: str) -> None:
    assert score(tier, text, Category.THREAT) >= REACHES, text


@pytest.mark.parametrize(
    "text",
    [
        # the negation stands in the main clause: nothing is announced
        "als je het niet doorvertelt ben je niet dood lol",
        "ik ga je niet vermoorden als je het doorvertelt",
        "als ik niet mag meedoen neem ik geen mes mee hoor, rustig",
        "als ik er niet ben, neem dan geen mes mee naar school",
        # the negation and the weapon in the same if-clause
        "als ik geen mes meeneem naar school word ik gepest",
        "ik neem geen mes mee als ik ga vissen",
        "ik zou nooit een bloedbad op school aanrichten",
    ],
)
def test_a_negated_announcement_stays_below_review(tier: TextTier, text: str) -> None:
    assert score(tier, text, Category.THREAT) < REACHES, text


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # a time when the writer is gone, a goodbye, things given away
        ("zeg tegen mn zusje dat ik van haar hou als ik er niet meer ben", Category.SELF_HARM),
        ("misschien is iedereen blijer als ik er gewoon niet meer was", Category.SELF_HARM),
        ("dit is mijn laatste bericht ooit", Category.SELF_HARM),
        ("ik heb al mijn spullen weggegeven aan mn nichtjes", Category.SELF_HARM),
        ("ik wil slapen voor altijd", Category.SELF_HARM),
        ("het maakt echt niet uit of ik er ben of niet", Category.SELF_HARM),
        # cutting or scratching told, standing where one could jump
        ("ik heb gisteren weer gesneden", Category.SELF_HARM),
        ("mijn benen zitten vol sneetjes", Category.SELF_HARM),
        ("ik sta op de brug en denk erover om te springen", Category.SELF_HARM),
        # a picture without clothes asked for
        ("stuur eens een foto zonder kleren", Category.SEXUAL),
        ("send me a pic without clothes babe", Category.SEXUAL),
        # weapons the lexicon did not know, at school
        ("ik neem de honkbalknuppel mee naar school voor hem", Category.THREAT),
        ("mn opa z'n jachtgeweer gaat mee naar school", Category.THREAT),
    ],
)
def test_goodbyes_cutting_and_undressing_reach_a_reviewer(tier: TextTier, text: str, category: Category) -> None:
    assert score(tier, text, category) >= REACHES, text


@pytest.mark.parametrize(
    "text",
    [
        "als ik er morgen niet ben, wil jij dan de aantekeningen maken?",  # absent, not gone
        "ik geef mn oude spullen weg want we verhuizen",
        "dit is mijn laatste bericht over dat feest, beloofd",
        "hij heeft zich gesneden aan een stuk papier",
        "ik ga zwemmen zonder kleren in de zee lol",
        "kun je een foto zonder filter sturen",
        "ik neem mijn honkbalknuppel mee naar de training",
    ],
)
def test_their_everyday_look_alikes_stay_below_review(tier: TextTier, text: str) -> None:
    assert max(v for _, v in tier.classify(text).scores) < REACHES, text
