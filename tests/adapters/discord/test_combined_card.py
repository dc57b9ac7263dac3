"""A burst's combined card on Discord, as data: Discord's limits on embeds and rows, one row per open incident whose
every control names that incident."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from adapters.discord.combined_card import EMBED_TOTAL, MOST, combined_content, groups
from adapters.discord.review_view import combined_view, levels_above
from bot.texts.nl import DUTCH
from moderation.incidents.cards import Card
from moderation.texts import Phrase


def card(n: int, *, status: str = "open", excerpt: str = "jij bent een sukkel", escalation: str | None = None) -> Card:
    return Card(
        id=n,
        status=status,
        platform="discord",
        room="klas-2b",
        when=datetime(2026, 3, 2, 10, 15, tzinfo=UTC),
        author="Sanne Bakker (sanne)",
        rule_id="R3",
        category="insult",
        severity=2,
        score=0.9,
        scores=(("insult", 0.9),),
        explanation="scheldwoord",
        excerpt=excerpt,
        link=f"https://discord.com/channels/1/2/{n}",
        criminal=False,
        escalation=escalation,
        reviewers=(("Meneer Jansen", "mentor"),),
    )


def test_groups_of_five_in_order() -> None:
    assert groups([4, 5, 6, 7, 8, 9, 10]) == [[4, 5, 6, 7, 8], [9, 10]]
    assert groups([]) == []


def test_five_long_cards_stay_within_discords_embed_limits_and_keep_their_links() -> None:
    cards = [card(n, excerpt="heel lang verhaal " * 300) for n in range(10, 15)]
    text, embeds = combined_content(cards, DUTCH)
    assert len(text) <= 2000 and text.startswith(f"**{DUTCH.phrase(Phrase.COMBINED_TITLE).format(n=MOST)}**")
    assert len(embeds) == 5
    assert sum(len(e.title or "") + len(e.description or "") for e in embeds) <= EMBED_TOTAL
    for number, embed in zip(range(10, 15), embeds, strict=True):
        assert (embed.title or "").startswith(f"⚑ Melding #{number}:") and len(embed.title or "") <= 256
        description = embed.description or ""
        assert len(description) <= 4096 and description.startswith("```\n") and "…" in description
        assert description.endswith(f"https://discord.com/channels/1/2/{number}")


def test_a_combined_card_holds_one_to_five_incidents() -> None:
    with pytest.raises(ValueError):
        combined_content([card(n) for n in range(6)], DUTCH)
    with pytest.raises(ValueError):
        combined_content([], DUTCH)


def test_one_row_per_open_incident_each_control_naming_it() -> None:
    cards = [card(3), card(4, status="dismissed"), card(5, status="in-review", escalation="police"), card(6)]
    view = combined_view(cards, DUTCH)
    assert view is not None
    rows = view.to_components()
    ids = [[c["custom_id"] for c in row["components"]] for row in rows]
    assert ids == [
        ["sw:ack:3", "sw:resolve:3", "sw:dismiss:3", "sw:escalate:3"],
        ["sw:ack:5", "sw:resolve:5", "sw:dismiss:5"],  # at the police already: nothing to escalate to
        ["sw:ack:6", "sw:resolve:6", "sw:dismiss:6", "sw:escalate:6"],
    ]
    first = rows[1]["components"][0]
    assert first["disabled"] and first["label"] == f"#5 {DUTCH.phrase(Phrase.BUTTON_IN_REVIEW)}"
    assert rows[0]["components"][0]["label"].startswith("#3 ")
    assert levels_above(cards[2]) == ()


def test_no_controls_when_every_incident_on_it_is_closed_and_at_most_five_rows() -> None:
    assert combined_view([card(1, status="resolved"), card(2, status="dismissed")], DUTCH) is None
    with pytest.raises(ValueError):
        combined_view([card(n) for n in range(6)], DUTCH)
    assert combined_view([*(card(n) for n in range(5)), replace(card(9), status="resolved")], DUTCH) is not None
