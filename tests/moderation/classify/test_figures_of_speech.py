"""Hyperbole about what family will do to the speaker and violent words in game talk are no threats; the same
words aimed at someone, hitting at home and talk of harming oneself still reach a reviewer.

Every sentence here is written for these tests (none comes from the evaluation suites)."""

from __future__ import annotations

import pytest

from moderation.classify.text_tier import TextTier
from moderation.model import Category


def threat(tier: TextTier, text: str) -> float:
    return tier.classify(text).score(Category.THREAT)


@pytest.mark.parametrize(
    "text",
    [
        "mijn moeder vermoordt me als ze dit cijfer ziet",
        "als ik de bus weer mis vermoordt mijn coach me",
        "my dad is going to kill me if i miss curfew",
        "mijn oma killt me als ik haar verjaardag vergeet",
    ],
)
def test_a_relative_who_will_kill_the_speaker_is_hyperbole(tier: TextTier, text: str) -> None:
    result = tier.classify(text)
    assert result.score(Category.THREAT) < 0.5, result.evidence
    assert not any(e.criminal for e in result.evidence)


@pytest.mark.parametrize(
    "text",
    [
        "mijn vader slaat me als ik te laat thuis ben",  # hitting at home: a mentor must see it
        "hij vermoordt me als hij dit leest, ik ben doodsbang",  # fear of someone, not family hyperbole
        "mijn broer en ik gaan je vermoorden",  # the speaker's family against someone
        "ik vermoord je moeder als je dit doorvertelt",  # aimed at the one addressed
    ],
)
def test_violence_that_is_not_family_hyperbole_stays_a_threat(tier: TextTier, text: str) -> None:
    assert threat(tier, text) >= 0.5, tier.classify(text).evidence


def test_killing_oneself_is_never_softened_as_hyperbole(tier: TextTier) -> None:
    result = tier.classify("mijn moeder vermoordt me niet, ik vermoord mezelf")
    assert not any("hyperbole" in e.explanation for e in result.evidence)


@pytest.mark.parametrize(
    "text",
    [
        "die andere clan hebben we vannacht uitgeroeid",
        "ik ga jullie uitroeien in de volgende ronde",
        "in de laatste zone heb ik ze allemaal uitgeroeid",
        "wat een tryhard, hij heeft me drie keer gesniped",
    ],
)
def test_game_words_make_violent_words_play(tier: TextTier, text: str) -> None:
    result = tier.classify(text)
    assert result.score(Category.THREAT) < 0.5, result.evidence
    assert not any(e.criminal for e in result.evidence)


def test_a_weapon_at_school_stays_critical_beside_game_words(tier: TextTier) -> None:
    result = tier.classify("volgende ronde is echt: morgen neem ik een mes mee naar school")
    assert result.score(Category.THREAT) >= 0.8
    assert any(e.criminal for e in result.evidence)


@pytest.mark.parametrize(
    "text",
    [
        "ik ga je zo hard afmaken in mario party vanavond",
        "jij gaat eraan bij het tafeltennissen in de pauze",
        "ik ga jullie allemaal vernietigen in uno",
        "bij penalty's schieten maak ik jou in, let maar op",
    ],
)
def test_violent_words_in_a_board_game_or_a_sport_are_play(tier: TextTier, text: str) -> None:
    result = tier.classify(text)
    assert result.score(Category.THREAT) < 0.5, result.evidence


@pytest.mark.parametrize(
    "text",
    [
        "na de training steek ik je neer",  # the game is when, not where
        "morgen op de sportdag schiet ik iedereen neer",  # a school event is the school
        "ik neem een mes mee naar het schoolfeest",
    ],
)
def test_a_game_or_school_event_as_the_time_or_place_of_an_attack_is_a_threat(tier: TextTier, text: str) -> None:
    assert tier.classify(text).score(Category.THREAT) >= 0.85, tier.classify(text).evidence


@pytest.mark.parametrize(
    "text",
    [
        "wie heeft mijn etui gepakt? ik vermoord je haha nee grapje geef terug",
        "als jij mijn laatste stuk pizza opeet ben je dood, grapje je mag het",
    ],
)
def test_a_threat_taken_back_as_a_joke_is_below_a_flag(tier: TextTier, text: str) -> None:
    result = tier.classify(text)
    assert result.score(Category.THREAT) < 0.5, result.evidence
    assert not any(e.criminal for e in result.evidence)


def test_a_threat_said_to_be_no_joke_stays(tier: TextTier) -> None:
    assert threat(tier, "ik vermoord je, dit is geen grapje") >= 0.9


@pytest.mark.parametrize(
    "text",
    [
        "hahaha je bent zo'n nerd, maar dat is goed",
        "hij is echt een sukkel met die grappen, maar wel lief",
        "damn die docent is streng vandaag",
        "ik kan niet meer van het lachen om die video",
    ],
)
def test_fond_teasing_an_exclamation_and_laughing_are_no_abuse(tier: TextTier, text: str) -> None:
    assert max(score for _, score in tier.classify(text).scores) < 0.5, tier.classify(text).evidence


def test_a_slur_is_not_taken_back_by_fondness(tier: TextTier) -> None:
    assert tier.classify("je bent een kankerhoer maar ik hou van je").score(Category.INSULT) >= 0.8


def test_a_class_beaten_at_a_sport_is_a_team_not_the_school(tier: TextTier) -> None:
    result = tier.classify("we gaan die andere klas slopen bij het voetbaltoernooi")
    assert result.score(Category.THREAT) < 0.5, result.evidence
    assert threat(tier, "ik schiet morgen de hele klas neer") >= 0.9
