"""The review controls as pure functions: custom ids, the buttons per state, reading a submitted modal, splitting
and rendering text for Discord's 2000-character limit."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from adapters.discord.card import CARD_LIMIT, render_review_card, split_message
from adapters.discord.review_view import (
    BUTTON_ACTIONS,
    MODAL_ACTIONS,
    Press,
    card_view,
    custom_id,
    parse_custom_id,
    read_modal,
    resolve_modal,
)
from bot.texts.nl import DUTCH
from moderation.incidents.cards import Card
from tests.support.fake_discord.interactions import find_component

CARD = Card(
    id=12,
    status="open",
    platform="discord",
    room="klas-2b",
    when=datetime(2026, 11, 23, 9, tzinfo=UTC),
    author="Sanne Bakker (sanne)",
    rule_id="R2",
    category="insult",
    severity=2,
    score=0.9,
    scores=(("insult", 0.9),),
    explanation="insult aimed at a classmate",
    excerpt="je bent een ```sukkel``` @everyone",
    link="https://discord.com/channels/1/2/3",
    criminal=False,
    escalation=None,
    reviewers=(("Meneer Jansen", "mentor"),),
)


async def test_custom_ids_round_trip_and_anything_else_is_refused() -> None:
    assert parse_custom_id(custom_id("ack", 12), BUTTON_ACTIONS) == Press("ack", 12)
    assert parse_custom_id("sw:resolve:7", MODAL_ACTIONS) == Press("resolve", 7)
    for bad in ("sw:ack:", "sw:ack:-1", "sw:ack:１２", "sw:ACK:1", "sw:ack:1 ", "xx:ack:1", "sw:ack:12345678901"):
        assert parse_custom_id(bad, BUTTON_ACTIONS) is None, bad
    assert parse_custom_id("sw:dismiss:3", MODAL_ACTIONS) is None  # a dismiss is never a modal


def parts(card: Card) -> dict[str, dict[str, Any]]:
    """The components of the card's view as Discord receives them, by custom_id."""
    view = card_view(card, DUTCH)
    assert view is not None and view.is_finished()  # never kept by discord.py: presses go to DiscordReview
    return {c["custom_id"]: c for row in view.to_components() for c in row["components"]}


async def test_buttons_follow_the_state_of_the_incident() -> None:
    assert set(parts(CARD)) == {"sw:ack:12", "sw:resolve:12", "sw:dismiss:12", "sw:escalate:12"}
    acked = parts(replace(CARD, status="in-review", escalation="coordinator"))
    assert acked["sw:ack:12"]["disabled"] is True and acked["sw:ack:12"]["label"] == "In behandeling"
    assert parts(CARD)["sw:ack:12"]["label"] == "Oppakken" and parts(CARD)["sw:dismiss:12"]["label"].startswith(
        "Afwijzen"
    )
    assert [o["value"] for o in acked["sw:escalate:12"]["options"]] == ["leadership", "police"]
    assert "sw:escalate:12" not in parts(replace(CARD, escalation="police"))
    assert card_view(replace(CARD, status="resolved"), DUTCH) is None
    assert card_view(replace(CARD, status="dismissed"), DUTCH) is None


async def test_the_resolve_modal_asks_note_measure_and_parents() -> None:
    modal = resolve_modal(12, DUTCH)
    payload = modal.to_dict()
    assert payload["custom_id"] == "sw:resolve:12" and modal.is_finished()
    note = find_component(payload["components"], "note")
    assert note is not None and note["required"] is True
    measure = find_component(payload["components"], "measure")
    assert measure is not None and measure["required"] is False
    parents = find_component(payload["components"], "parents")
    assert parents is not None and [o["value"] for o in parents["options"]] == ["yes", "no"]


def test_reading_a_modal_in_either_layout_and_with_garbage() -> None:
    labels = {
        "components": [
            {"type": 18, "component": {"type": 4, "custom_id": "note", "value": "gesprek"}},
            {"type": 18, "component": {"type": 4, "custom_id": "measure", "value": "  "}},
            {"type": 18, "component": {"type": 3, "custom_id": "parents", "values": ["no"]}},
        ]
    }
    read = read_modal(labels)
    assert (read.note, read.measure, read.parents_informed) == ("gesprek", None, False)
    rows = {"components": [{"type": 1, "components": [{"type": 4, "custom_id": "parents", "value": "Ja"}]}]}
    assert read_modal(rows).parents_informed is True and read_modal(rows).note == ""
    junks: list[dict[str, Any]] = [
        {},
        {"components": "x"},
        {"components": [1, None, {"custom_id": 5}, {"component": []}]},
    ]
    for junk in junks:
        assert read_modal(junk).note == "" and read_modal(junk).parents_informed is None
    deep: dict[str, object] = {"custom_id": "note", "value": "too deep"}
    for _ in range(10):
        deep = {"components": [deep]}
    assert read_modal(deep).note == ""  # Discord nests two levels; anything deeper is not read


def test_split_message_keeps_lines_whole_and_under_the_limit() -> None:
    lines = [f"#{n} · a line of about forty characters..." for n in range(200)]
    chunks = split_message("\n".join(lines))
    assert all(len(c) <= CARD_LIMIT for c in chunks) and len(chunks) > 1
    assert "\n".join(chunks).split("\n") == lines
    [huge] = split_message("x" * 5000)
    assert len(huge) == CARD_LIMIT and huge.endswith("…")
    assert split_message("") == []


def test_the_review_card_is_inert_and_fits() -> None:
    text = render_review_card(CARD, DUTCH)
    assert text.startswith("```\n⚑ Melding #12: ") and text.endswith("\nhttps://discord.com/channels/1/2/3")
    assert text.count("```") == 2  # the excerpt's fences cannot close the block
    assert "@everyone" not in text
    long = render_review_card(replace(CARD, excerpt="x" * 5000, explanation="y" * 3000), DUTCH)
    assert len(long) <= CARD_LIMIT and long.count("```") == 2
    leader = render_review_card(replace(CARD, reporter="daan"), DUTCH)
    assert "Gemeld door:" in leader and "Gemeld door" not in text
