"""The reviewer's controls on a Discord incident card: buttons, the escalation menu, the resolve modal.

Every control carries its meaning in its custom_id (`sw:<action>:<incident id>`), so a press is understood from the
id alone — after a restart too, with no view kept in memory; on a burst's combined card each incident's row names
that incident, so a press acts on exactly that one. The views are built, then stopped before they are sent:
discord.py then only serialises them and keeps nothing; `DiscordReview` handles every press in one place.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import discord

from moderation.incidents.cards import Card
from moderation.incidents.review import ESCALATIONS, NOTE_MAX
from moderation.model import CLOSED_STATUSES, IncidentStatus
from moderation.ports import IncidentRef
from moderation.texts import Phrase, Texts

PREFIX = "sw:"
ACK, RESOLVE, DISMISS, ESCALATE = "ack", "resolve", "dismiss", "escalate"
BUTTON_ACTIONS = frozenset({ACK, RESOLVE, DISMISS, ESCALATE})
MODAL_ACTIONS = frozenset({RESOLVE, ESCALATE})
NOTE, MEASURE, PARENTS, LEVEL = "note", "measure", "parents", "level"
MAX_ROWS = 5  # Discord's action rows per message
MEASURE_MAX = 200
_CUSTOM_ID = re.compile(r"sw:([a-z]+):([0-9]{1,10})")
_YES = frozenset({"yes", "ja", "y", "j", "true"})
_NO = frozenset({"no", "nee", "n", "false"})


@dataclass(frozen=True, slots=True)
class Press:
    action: str
    incident_id: int


def custom_id(action: str, incident_id: int) -> str:
    return f"{PREFIX}{action}:{incident_id}"


def parse_custom_id(value: str, allowed: frozenset[str]) -> Press | None:
    """`sw:ack:12` → Press("ack", 12); None for anything else (a foreign, stale or forged id)."""
    match = _CUSTOM_ID.fullmatch(value)
    if match is None or match.group(1) not in allowed:
        return None
    return Press(match.group(1), int(match.group(2)))


def card_view(card: Card, texts: Texts) -> discord.ui.View | None:
    """The controls for a card in its current state; None for a closed incident (nothing left to do)."""
    if card.status in CLOSED_STATUSES:
        return None
    view = discord.ui.View(timeout=None)
    n = card.id
    acked = card.status == IncidentStatus.IN_REVIEW
    view.add_item(
        discord.ui.Button(
            label=texts.phrase(Phrase.BUTTON_IN_REVIEW if acked else Phrase.BUTTON_ACK),
            style=discord.ButtonStyle.secondary if acked else discord.ButtonStyle.primary,
            custom_id=custom_id(ACK, n),
            disabled=acked,
            row=0,
        )
    )
    view.add_item(
        discord.ui.Button(
            label=texts.phrase(Phrase.BUTTON_RESOLVE),
            style=discord.ButtonStyle.success,
            custom_id=custom_id(RESOLVE, n),
            row=0,
        )
    )
    view.add_item(
        discord.ui.Button(
            label=texts.phrase(Phrase.BUTTON_DISMISS),
            style=discord.ButtonStyle.danger,
            custom_id=custom_id(DISMISS, n),
            row=0,
        )
    )
    above = levels_above(card)
    if above:
        options = [discord.SelectOption(label=texts.escalation(level)[:100], value=level) for level in above]
        placeholder = texts.phrase(Phrase.ESCALATE_PLACEHOLDER)
        view.add_item(
            discord.ui.Select(custom_id=custom_id(ESCALATE, n), placeholder=placeholder, options=options, row=1)
        )
    view.stop()  # serialise only: discord.py must not keep it (presses go to DiscordReview)
    return view


def combined_view(cards: Sequence[Card], texts: Texts) -> discord.ui.View | None:
    """A combined card's controls: one row per open incident, in the order of the sections (Discord allows five
    rows, so a combined card holds at most five incidents). Its first button names the incident; escalating opens a
    form (a menu would take a row of its own). None when every incident on it is closed."""
    open_cards = [card for card in cards if card.status not in CLOSED_STATUSES]
    if len(open_cards) > MAX_ROWS:
        raise ValueError(f"a combined card holds at most {MAX_ROWS} open incidents, not {len(open_cards)}")
    if not open_cards:
        return None
    view = discord.ui.View(timeout=None)
    for row, card in enumerate(open_cards):
        n = card.id
        acked = card.status == IncidentStatus.IN_REVIEW
        label = texts.phrase(Phrase.BUTTON_IN_REVIEW if acked else Phrase.BUTTON_ACK)
        buttons: list[discord.ui.Button[discord.ui.View]] = [
            discord.ui.Button(
                label=f"#{n} {label}"[:80],
                style=discord.ButtonStyle.secondary if acked else discord.ButtonStyle.primary,
                custom_id=custom_id(ACK, n),
                disabled=acked,
                row=row,
            ),
            discord.ui.Button(
                label=texts.phrase(Phrase.BUTTON_RESOLVE)[:80],
                style=discord.ButtonStyle.success,
                custom_id=custom_id(RESOLVE, n),
                row=row,
            ),
            discord.ui.Button(
                label=texts.phrase(Phrase.BUTTON_DISMISS)[:80],
                style=discord.ButtonStyle.danger,
                custom_id=custom_id(DISMISS, n),
                row=row,
            ),
        ]
        if levels_above(card):
            buttons.append(
                discord.ui.Button(
                    label=texts.phrase(Phrase.BUTTON_ESCALATE)[:80],
                    style=discord.ButtonStyle.secondary,
                    custom_id=custom_id(ESCALATE, n),
                    row=row,
                )
            )
        for button in buttons:
            view.add_item(button)
    view.stop()  # serialise only, as card_view
    return view


def levels_above(card: Card) -> tuple[str, ...]:
    """The escalation levels a card can still go to."""
    if card.escalation in ESCALATIONS:
        return tuple(ESCALATIONS[ESCALATIONS.index(card.escalation) + 1 :])
    return tuple(ESCALATIONS)


def escalate_modal(card: Card, texts: Texts) -> discord.ui.Modal:
    """The escalation menu as a form (a combined card's "Doorzetten…" button): the levels above the card's."""
    title = texts.phrase(Phrase.ESCALATE_TITLE).format(n=card.id)
    modal = discord.ui.Modal(title=title[:45], custom_id=custom_id(ESCALATE, card.id))
    options = [discord.SelectOption(label=texts.escalation(level)[:100], value=level) for level in levels_above(card)]
    level: discord.ui.Select[discord.ui.Modal] = discord.ui.Select(
        custom_id=LEVEL, placeholder=texts.phrase(Phrase.ESCALATE_PLACEHOLDER), options=options
    )
    modal.add_item(discord.ui.Label(text=texts.phrase(Phrase.ESCALATE_PLACEHOLDER)[:45], component=level))
    modal.stop()  # answered by DiscordReview
    return modal


def read_level(data: Mapping[str, Any]) -> str:
    """The level chosen in a submitted escalation form ("" when none)."""
    for component in _walk(data.get("components")):
        values = component.get("values")
        if component.get("custom_id") == LEVEL and isinstance(values, list) and values:
            return str(values[0])
    return ""


def fresh_card(incident: IncidentRef) -> Card:
    """Just enough of a card for the controls of a new incident: open, not escalated."""
    draft = incident.draft
    return Card(
        id=incident.id,
        status=IncidentStatus.OPEN,
        platform=draft.message.platform.value,
        room=draft.room_name,
        when=incident.created_at,
        author="",
        rule_id=draft.verdict.rule_id,
        category=draft.verdict.category.value,
        severity=int(draft.verdict.severity),
        score=0.0,
        scores=(),
        explanation="",
        excerpt=None,
        link=None,
        criminal=draft.verdict.criminal,
        escalation=None,
        reviewers=(),
    )


def resolve_modal(incident_id: int, texts: Texts) -> discord.ui.Modal:
    """Note (required), measure, and whether the parents were informed (R13: required by the service when a
    measure is taken for a student; left empty for a staff member)."""
    word = texts.phrase
    title = word(Phrase.RESOLVE_TITLE).format(n=incident_id)
    modal = discord.ui.Modal(title=title[:45], custom_id=custom_id(RESOLVE, incident_id))
    note: discord.ui.TextInput[discord.ui.Modal] = discord.ui.TextInput(
        custom_id=NOTE,
        style=discord.TextStyle.paragraph,
        placeholder=word(Phrase.RESOLVE_NOTE_EXAMPLE),
        max_length=NOTE_MAX,
    )
    measure: discord.ui.TextInput[discord.ui.Modal] = discord.ui.TextInput(
        custom_id=MEASURE,
        placeholder=word(Phrase.RESOLVE_MEASURE_EXAMPLE),
        required=False,
        max_length=MEASURE_MAX,
    )
    modal.add_item(discord.ui.Label(text=word(Phrase.RESOLVE_NOTE), component=note))
    modal.add_item(discord.ui.Label(text=word(Phrase.RESOLVE_MEASURE), component=measure))
    parents: discord.ui.Select[discord.ui.Modal] = discord.ui.Select(
        custom_id=PARENTS,
        placeholder=word(Phrase.RESOLVE_PARENTS_PLACEHOLDER),
        options=[
            discord.SelectOption(label=word(Phrase.PARENTS_YES), value="yes"),
            discord.SelectOption(label=word(Phrase.PARENTS_NO), value="no"),
        ],
        required=False,
    )
    modal.add_item(discord.ui.Label(text=word(Phrase.RESOLVE_PARENTS)[:45], component=parents))
    modal.stop()  # answered by DiscordReview, not by discord.py's modal store
    return modal


@dataclass(frozen=True, slots=True)
class Resolution:
    note: str
    measure: str | None
    parents_informed: bool | None


def read_modal(data: Mapping[str, Any]) -> Resolution:
    """The fields of a submitted resolve modal, whatever the layout (labels or action rows); missing → empty."""
    values: dict[str, str] = {}
    for component in _walk(data.get("components")):
        cid = component.get("custom_id")
        if not isinstance(cid, str):
            continue
        if isinstance(component.get("value"), str):
            values[cid] = component["value"]
        elif isinstance(component.get("values"), list) and component["values"]:
            values[cid] = str(component["values"][0])
    parents = values.get(PARENTS, "").strip().lower()
    return Resolution(
        note=values.get(NOTE, ""),
        measure=values.get(MEASURE, "").strip() or None,
        parents_informed=True if parents in _YES else False if parents in _NO else None,
    )


def _walk(components: object, depth: int = 0) -> Iterator[Mapping[str, Any]]:
    if not isinstance(components, list) or depth > 4:  # a modal nests two levels; more is not Discord's
        return
    for component in components:
        if not isinstance(component, Mapping):
            continue
        yield component
        yield from _walk(component.get("components"), depth + 1)
        if isinstance(component.get("component"), Mapping):
            yield from _walk([component["component"]], depth + 1)
