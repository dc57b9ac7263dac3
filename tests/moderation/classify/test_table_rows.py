"""What a new user meets: each class of message the text tier used to get wrong, through the R2/R7 rule.

Every sentence is written for these tests; each row stands for a class of problems (a valid word read as a slur,
support read as exclusion, gaming read as a crime, Dutch word order, split or censored spellings, ...)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.texts.nl import DUTCH
from moderation.classify.config import ClassifierConfig
from moderation.classify.text_tier import TextTier
from moderation.model import (
    AccountId,
    ActionKind,
    Category,
    EventId,
    Message,
    Platform,
    Room,
    RoomId,
    RoomKind,
    Severity,
    Verdict,
)
from moderation.policy import RoomPolicy
from moderation.rules import AbusiveContent, RuleContext

_POLICY = RoomPolicy(room=Room(Platform.CONSOLE, RoomId("r"), "klas-2b", RoomKind.CLASS))
_MESSAGE = Message(Platform.CONSOLE, RoomId("r"), EventId("e"), AccountId("a"), "-", datetime.now(UTC))


def verdict(tier: TextTier, text: str) -> Verdict | None:
    context = RuleContext(
        policy=_POLICY, author=None, may_post=True, classification=tier.classify(text), notices=DUTCH.notices
    )
    return AbusiveContent().evaluate(_MESSAGE, context)


@pytest.mark.parametrize(
    "text",
    [
        "negeer hem gewoon",  # valid Dutch words the fuzzy look-up used to turn into slurs
        "ze gaan de school sluiten",
        "gebruik je hersenen",
        "je verdomde wifi",
        "neeeeegeer hem gewoon",  # stretched, still the valid word
        "je bent niet alleen, we helpen je",  # support: a negation in a template's gap
        "niemand is ooit niet welkom hier",
        "kan je moeder ons ophalen?",  # someone's mother, not "je moeder!"
        "iemand noemde haar een hoer, ik heb het gemeld",  # reporting abuse
        "hij noemde me een sukkel. ik heb een screenshot naar de mentor gestuurd",
        "homo's zijn niiiiet vies",  # stretched and leet negation
        "homo's zijn n13t vies",
        "ben jij ook gay?",  # a verb-first question is no statement
        "ik ga je afmaken in fortnite",  # gaming: never more than a low flag
        "ik kill je straks in brawl stars",
        "e-mail me de samenvatting",  # a hyphen that joins nothing abusive
        "ok.doei",
    ],
)
def test_harmless_messages_get_no_verdict(tier: TextTier, text: str) -> None:
    found = verdict(tier, text)
    assert found is None, (text, found and found.explanation)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("morgen ben je dood", Category.THREAT),  # time adverb first: verb-second order
        ("dan sla ik je in elkaar", Category.THREAT),
        ("als je dat nog eens zegt maak ik je dood", Category.THREAT),  # subordinate clause first
        ("na school maken we je af", Category.THREAT),
        ("lisa is zo dik en lelijk", Category.INSULT),  # a classmate by first name
        ("emma heeft echt lekkere tieten", Category.SEXUAL),
        ("niemand wil jou erbij", Category.HARASSMENT),
        ("ga maar weg, niemand mist je", Category.HARASSMENT),  # a dropped particle, a finite verb
        ("kan.ker", Category.INSULT),  # one separator, emoji or space inside a word
        ("k-lootzak", Category.INSULT),
        ("h😂oer", Category.INSULT),
        ("kank er", Category.INSULT),
        ("jij bent een eik el", Category.INSULT),
        ("k*nker", Category.INSULT),  # censored
        ("t**fus", Category.INSULT),
        ("f*ck you", Category.INSULT),
        ("wat ben jij een retard", Category.INSULT),  # English inside Dutch
        ("„jij bent echt een vieze slet,” zei hij tegen haar", Category.INSULT),  # quoted, aimed at a person
        ("je moeder is een hoer", Category.INSULT),  # R2 insult, not R7 discrimination
        ("je moeder", Category.INSULT),
        ("jij bent een ĸlootzaᴋ", Category.INSULT),  # look-alike letters from confusables.txt
        ("jij bent een һоег", Category.INSULT),
    ],
)
def test_abuse_is_caught_in_its_category(tier: TextTier, text: str, category: Category) -> None:
    found = verdict(tier, text)
    assert found is not None and found.category is category, (text, found)


def test_a_slur_at_a_group_stays_discrimination(tier: TextTier) -> None:
    found = verdict(tier, "alle vrouwen zijn hoeren")
    assert found is not None and found.category is Category.DISCRIMINATION and found.rule_id == "R7"
    mother = verdict(tier, "je moeder is een hoer")
    assert mother is not None and mother.rule_id == "R2"


def test_ik_maak_je_af_split_by_a_dot_is_the_threat(tier: TextTier) -> None:
    found = verdict(tier, "ik maak je a.f")
    assert found is not None and found.category is Category.THREAT and found.criminal


@pytest.mark.parametrize(
    "text",
    [
        "ik neem morgen een mes mee naar school",
        "ik schiet de hele school overhoop",
        "morgen neem ik een pistool mee naar de klas",
        "ik blaas de school op",
    ],
)
def test_a_weapon_or_attack_at_school_is_critical_for_leadership(tier: TextTier, text: str) -> None:
    found = verdict(tier, text)
    assert found is not None and found.category is Category.THREAT, text
    assert found.severity is Severity.CRITICAL and found.criminal, text  # criminal: routed to leadership


def test_a_knife_in_the_kitchen_is_no_school_threat(tier: TextTier) -> None:
    assert verdict(tier, "ik neem een mes mee voor de appeltaart") is None


@pytest.mark.parametrize(
    "text", ["ik ben het leven zat", "iedereen is beter af zonder mij", "niemand zou me missen als ik weg ben"]
)
def test_self_harm_hints_call_for_care_never_deletion(tier: TextTier, text: str) -> None:
    found = verdict(tier, text)
    assert found is not None and found.category is Category.SELF_HARM, text
    assert ActionKind.DELETE not in found.actions


def test_gaming_talk_is_never_a_crime(tier: TextTier) -> None:
    for text in ["ik ga je afmaken in fortnite", "ik kill je straks in brawl stars", "ik schiet je neer in cod"]:
        result = tier.classify(text)
        assert not any(e.criminal for e in result.evidence), text
        assert result.score(Category.THREAT) < 0.5, text
    assert any(e.criminal for e in tier.classify("ik ga je afmaken").evidence)  # without the game it is a threat


def test_roster_first_names_are_targets_through_the_constructor() -> None:
    rosters = [["Fedde de Vries", "Merijn"]]
    tier = TextTier.from_config(ClassifierConfig(ml=None), first_names=lambda: rosters[-1])
    found = verdict(tier, "fedde is zo dik en lelijk")
    assert found is not None and found.category is Category.INSULT
    plain = TextTier.from_config(ClassifierConfig(ml=None))
    assert verdict(plain, "fedde is zo dik en lelijk") is None  # an unknown lower-case word is no one
    rosters.append(["Tjeerd"])  # a roster import swaps the list: the roster of the moment is read per message
    assert verdict(tier, "tjeerd is zo lelijk") is not None


def test_a_capitalised_unknown_word_inside_a_sentence_is_taken_for_a_name(tier: TextTier) -> None:
    found = verdict(tier, "echt waar, Fedde is zo dik en lelijk")
    assert found is not None and found.category is Category.INSULT
