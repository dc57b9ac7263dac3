"""Safety-critical messages in the words Dutch teenagers use (cutting again, "ik trek het niet meer", a message
for the family, "stuur een naaktje", sextortion with the condition first, a knife in the locker, "X gaat eraan")
reach a reviewer; their harmless look-alikes (school stress, a game, a knife for the cooking lesson, reporting a
demand, comforting a friend) stay below the reviewer threshold.

Every sentence here is written for these tests (none comes from the evaluation suites or the corpus)."""

from __future__ import annotations

import pytest

from moderation.classify.text_tier import TextTier
from moderation.model import Category

REACHES = 0.5  # every safety category's threshold is at most this


def highest(tier: TextTier, text: str) -> float:
    return max(v for _, v in tier.classify(text).scores)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("ik snij weer sinds vorige week", Category.SELF_HARM),
        ("ik kras weer, sorry", Category.SELF_HARM),
        ("ik ben gisteren weer begonnen met krassen", Category.SELF_HARM),
        ("ik trek het echt niet meer", Category.SELF_HARM),
        ("ik trek mijn leven niet meer", Category.SELF_HARM),
        ("ik wil gewoon niet meer", Category.SELF_HARM),
        ("vertel tegen mn vader dat het niet zijn schuld was", Category.SELF_HARM),
        ("hoeveel slaappillen heb je nodig voor een overdosis", Category.SELF_HARM),
        ("hoe hoog moet een brug zijn om dood te gaan", Category.SELF_HARM),
        ("ik word toch geen achttien", Category.SELF_HARM),
        ("als ik verdwijn hebben mijn ouders het makkelijker", Category.SELF_HARM),
        ("ik ben gewoon een blok aan hun been", Category.SELF_HARM),
        ("als er iets met me gebeurt mag jij mijn playstation houden", Category.SELF_HARM),
        ("niks heeft nog zin meer", Category.SELF_HARM),
        ("stuur eens een naaktje dan", Category.SEXUAL),
        ("wanneer stuur je die nudies", Category.SEXUAL),
        ("stuur een selfie zonder je bh", Category.SEXUAL),
        ("doe je topje uit op facetime", Category.SEXUAL),
        ("laat je lijf eens zien", Category.SEXUAL),
        ("als je geen nieuwe stuurt zet ik je fotos online", Category.THREAT),
        ("als je niet betaalt deel ik dat filmpje met je hele klas", Category.THREAT),
        ("als je me niet terugstuurt stuur ik het door naar je ouders", Category.THREAT),
        ("anders krijgen al je volgers dat filmpje", Category.THREAT),
        ("ik heb een mes in mn kluisje gelegd", Category.THREAT),
        ("morgen zit er een pistool in mijn gymtas", Category.THREAT),
        ("ik loop met een passer op haar af", Category.THREAT),
        ("ik sta na het zesde uur met een knuppel op hem te wachten", Category.THREAT),
        ("die mentor gaat eraan", Category.THREAT),
        ("er gaat iets ontploffen in de aula", Category.THREAT),
        ("ik heb een lijst met namen en die gaan boeten", Category.THREAT),
    ],
)
def test_teen_safety_words_reach_a_reviewer(tier: TextTier, text: str, category: Category) -> None:
    assert tier.classify(text).score(category) >= REACHES, text


@pytest.mark.parametrize(
    "text",
    [
        "ik ga echt dood van het lachen om die video",
        "die toets van vandaag maakt me kapot",
        "ik trek het niet meer met die wiskunde haha",
        "ik snij de paprika voor de salade",
        "die eindbaas gaat eraan vanavond, ben je online?",
        "mijn oplader gaat eraan als hij nog een keer valt",
        "ik heb mijn gymtas in mijn kluisje laten liggen",
        "mijn mes voor de kookles zit al in mijn schooltas",
        "ik heb je cadeau in mijn kluisje verstopt",
        "stuur ff een foto van het huiswerk van wiskunde",
        "iemand vroeg om een naaktje, ik heb het gemeld bij de mentor",
        "als je niet snel je verslag stuurt stuur ik het door naar de groep",
        "als je geen zin hebt stuur ik je de samenvatting wel",
        "hey gaat het? je kan altijd met me praten, ik ben er voor je",
        "ik wil niet meer naar voetbal, de trainer is zo streng",
        "het heeft geen zin meer om te leren voor die toets, hij is morgen al",
        "als er iets met mijn fiets gebeurt bel ik de politie",
        "bedankt voor alles juf, fijne vakantie!",
        "we moeten een mesje meenemen naar school voor koken",
    ],
)
def test_harmless_look_alikes_stay_below_a_reviewer(tier: TextTier, text: str) -> None:
    assert highest(tier, text) < REACHES, text


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("ik denk dat ik mezelf ga unaliven", Category.SELF_HARM),
        ("ik wil gwn kms", Category.SELF_HARM),
        ("honestly gonna kms after this week", Category.SELF_HARM),
        ("sewerslide klinkt steeds beter", Category.SELF_HARM),
        ("ik ga hem unaliven als hij dat nog een keer zegt", Category.THREAT),
        ("we gaan vrijdag een schoolshooting doen", Category.THREAT),
    ],
)
def test_social_media_words_for_killing_reach_a_reviewer(tier: TextTier, text: str, category: Category) -> None:
    assert tier.classify(text).score(category) >= REACHES, text


@pytest.mark.parametrize(
    "text",
    [
        "op tiktok zeggen ze unalive omdat je video anders weg is",
        "we hebben vandaag 30 kms gefietst",
        "ik wil die documentaire over een schoolshooting in amerika zien",
    ],
)
def test_talk_about_those_words_stays_below_a_reviewer(tier: TextTier, text: str) -> None:
    assert highest(tier, text) < REACHES, text
