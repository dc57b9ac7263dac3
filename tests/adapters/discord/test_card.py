"""card.py: the review card shows who, where, when, rule, category, excerpt, why, link and reviewers, never the
reporter, and fits in one Discord message."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.discord.card import CARD_LIMIT, render_card
from bot.texts.nl import DUTCH
from moderation.model import (
    AccountId,
    Category,
    EventId,
    Message,
    Person,
    PersonId,
    Platform,
    Role,
    RoomId,
    Severity,
    Verdict,
)
from moderation.ports import IncidentDraft, IncidentRef, ReviewerAssignment

SANNE = Person(PersonId("sanne"), "Sanne Bakker", Role.STUDENT, "2B", mentor=PersonId("jan"))
NAMES = {"jan": "Meneer Jansen", "abc": "Mevr. Yilmaz", "daan": "Daan Smit"}
WHEN = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


def incident(text: str, category: Category = Category.INSULT, *, reported_by: str | None = None) -> IncidentRef:
    message = Message(
        Platform.DISCORD,
        RoomId("22"),
        EventId("33"),
        AccountId("44"),
        text,
        WHEN,
        author_name="Sanne",
        link="https://discord.com/channels/11/22/33",
    )
    verdict = Verdict("R2", "abusive_content", category, Severity.MEDIUM, 0.9, "insult 'klootzak'")
    reviewers = (ReviewerAssignment(PersonId("jan"), "mentor"), ReviewerAssignment(PersonId("abc"), "coordinator"))
    draft = IncidentDraft(
        message, verdict, SANNE, reviewers, "klas-2b", reported_by=PersonId(reported_by) if reported_by else None
    )
    return IncidentRef(17, draft, WHEN)


def name(person_id: PersonId) -> str:
    return NAMES.get(person_id, person_id)


def test_the_card_has_every_field() -> None:
    card = render_card(incident("jij klootzak"), name, DUTCH)
    for part in (
        "**Melding #17**: een scheldwoord of belediging",  # what happened, in words
        "**Wie:** Sanne Bakker",
        "**Waar:** #klas-2b",
        f"**Wanneer:** <t:{int(WHEN.timestamp())}:f>",
        "> jij klootzak",
        "(de bot zag: ‘klootzak’) (schoolregel R2)",  # why, with the word the bot saw
        "https://discord.com/channels/11/22/33",
        "Meneer Jansen (mentor), Mevr. Yilmaz (anti-pestcoördinator)",
    ):
        assert part in card
    assert "severity" not in card


def test_the_reporter_is_never_on_the_card() -> None:
    card = render_card(incident("kijk dit", Category.REPORTED, reported_by="daan"), name, DUTCH)
    assert "daan" not in card.lower()


def test_mass_mentions_and_code_fences_in_the_excerpt_are_defused() -> None:
    card = render_card(incident("@everyone ```kijk``` @here"), name, DUTCH)
    assert "@everyone" not in card and "@here" not in card and "```" not in card


def test_a_long_message_still_fits_in_one_discord_message() -> None:
    card = render_card(incident("x" * 4000 + "\n" * 300), name, DUTCH)
    assert len(card) <= CARD_LIMIT and "Melding #17" in card and "**Waarom:**" in card
