"""Presses coming in on Discord's review cards: buttons, the escalation menu and the resolve form.

Every press is authorised by the ReviewService as the presser (their Discord id mapped through the roster); a
refused press is answered privately and the service records it. A press acts only on the card it was made on: the
pressed message must be one of the stored copies of that incident's card (a crafted custom_id on one card cannot
change another incident). Discord wants one initial answer within 3 s, so a press is answered first ("thinking…",
only the presser sees it) and the database work follows; the outcome then replaces that answer. After a change the
card ledger brings every copy to the new state and the card to reviewers the change added.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Any

import discord

from adapters.discord.card import CARD_LIMIT
from adapters.discord.review_view import (
    ACK,
    BUTTON_ACTIONS,
    DISMISS,
    MODAL_ACTIONS,
    PREFIX,
    RESOLVE,
    Press,
    parse_custom_id,
    read_modal,
    resolve_modal,
)
from moderation.incidents.access import Actor
from moderation.incidents.card_ledger import CardLedger
from moderation.incidents.cards import Card
from moderation.incidents.commands import ChatReview, ReviewCommand
from moderation.incidents.review import CLOSED, Result, ReviewResult, ReviewService
from moderation.model import AccountId, Platform
from moderation.ports import OVERVIEW, CardAddress

log = logging.getLogger(__name__)

NOT_THIS_CARD = "That button does not belong to this card. Use the buttons on the card of the incident itself."
UNKNOWN_BUTTON = "I do not know that button (any more). Use the newest card, or `!list open`."


class Presses:
    def __init__(self, service: ReviewService, ledger: CardLedger, chat: ChatReview) -> None:
        self._service = service
        self._ledger = ledger
        self._chat = chat

    async def handle(self, interaction: discord.Interaction) -> None:
        """A button, select or modal of ours (custom_id `sw:…`); anything else is someone else's business."""
        kind = interaction.type
        if kind not in (discord.InteractionType.component, discord.InteractionType.modal_submit):
            return
        data: dict[str, Any] = dict(interaction.data or {})
        raw = data.get("custom_id")
        if not isinstance(raw, str) or not raw.startswith(PREFIX):
            return
        modal = kind is discord.InteractionType.modal_submit
        press = parse_custom_id(raw, MODAL_ACTIONS if modal else BUTTON_ACTIONS)
        if press is None:
            await _answer(interaction, UNKNOWN_BUTTON)
            return
        if not self._on_its_card(interaction, press):
            log.warning(
                "refused press %s by %s: message %s is not a card of incident #%s",
                raw,
                interaction.user.id,
                getattr(interaction.message, "id", None),
                press.incident_id,
            )
            await _answer(interaction, NOT_THIS_CARD)
            return
        actor = self._actor(interaction.user.id)
        if press.action == RESOLVE and not modal:
            await self._open_resolve(interaction, press, actor)  # the form must be the first answer itself
            return
        await _think(interaction)  # answer within Discord's 3 s; the work follows
        if modal:
            result = await self._resolve(press, actor, data)
        else:
            result = await self._chat.change(actor, _command(press, data))
        await self._after(interaction, press, actor, result)

    def _on_its_card(self, interaction: discord.Interaction, press: Press) -> bool:
        """The pressed message is a stored copy of this incident's card (a modal submitted without a message
        cannot be checked: the service's authorisation still applies)."""
        message = interaction.message
        if message is None:
            return interaction.type is discord.InteractionType.modal_submit
        return self._ledger.holds(press.incident_id, str(message.id))

    def _actor(self, user_id: int) -> Actor:
        # Someone not on the roster still asks as someone: the service refuses and records the Discord id.
        return self._service.actor_for(Platform.DISCORD, AccountId(str(user_id))) or Actor(key=f"discord:{user_id}")

    async def _open_resolve(self, interaction: discord.Interaction, press: Press, actor: Actor) -> None:
        shown = await asyncio.to_thread(self._service.show, press.incident_id, actor)
        if shown.card is None:
            await self._after(interaction, press, actor, shown)
            return
        if shown.card.status in CLOSED:
            closed = ReviewResult(Result.UNCHANGED, _closed(shown.card), shown.card)
            await self._after(interaction, press, actor, closed)
            return
        await interaction.response.send_modal(resolve_modal(press.incident_id))

    async def _resolve(self, press: Press, actor: Actor, data: dict[str, Any]) -> ReviewResult:
        form = read_modal(data)
        command = ReviewCommand(
            RESOLVE, press.incident_id, text=form.note, measure=form.measure, parents_informed=form.parents_informed
        )
        result = await self._chat.change(actor, command)
        if result.result in (Result.INVALID, Result.FORBIDDEN, Result.NOT_FOUND) and form.note.strip():
            keep = f"\nYour note (not saved), to copy: {form.note.strip()[:1500]}"
            result = replace(result, message=result.message + keep)  # nothing the reviewer typed is lost
        return result

    async def _after(self, interaction: discord.Interaction, press: Press, actor: Actor, result: ReviewResult) -> None:
        await _answer(interaction, result.message)
        pressed = _pressed(interaction, actor)
        if result.result is Result.NOT_FOUND and pressed is not None:
            await self._ledger.retire(press.incident_id, *pressed, "no longer exists (erased)")
        elif result.card is not None and result.result is Result.DONE:
            await self._ledger.follow(result, pressed)
        elif result.card is not None and pressed is not None:
            await self._ledger.show_in(press.incident_id, *pressed, result.card)  # the current state where pressed


def _command(press: Press, data: dict[str, Any]) -> ReviewCommand:
    """The command a button or the escalation menu stands for."""
    if press.action in (ACK, DISMISS):
        return ReviewCommand(press.action, press.incident_id)
    values = data.get("values")
    level = str(values[0]) if isinstance(values, list) and values else ""
    return ReviewCommand("escalate", press.incident_id, target=level)


async def _think(interaction: discord.Interaction) -> None:
    """The initial answer: "thinking…", seen by the presser only. Too late (10062) or answered already (40060) is
    logged; the press is still carried out and its card updated."""
    try:
        await interaction.response.defer(ephemeral=True, thinking=True)
    except discord.HTTPException as exc:
        log.warning("interaction %s could not be answered in time: %s", interaction.id, exc)


async def _answer(interaction: discord.Interaction, text: str) -> None:
    """The outcome: as the initial answer, or after "thinking…" as the follow-up that replaces it."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text[:CARD_LIMIT], ephemeral=True)
        else:
            await interaction.response.send_message(text[:CARD_LIMIT], ephemeral=True)
    except discord.HTTPException as exc:  # expired (over 3 s) or already answered: the card still updates
        log.warning("interaction %s not answered: %s", interaction.id, exc)


def _pressed(interaction: discord.Interaction, actor: Actor) -> tuple[str, CardAddress] | None:
    """The pressed copy: its viewer (the presser in their own DM, else the overview) and where it is."""
    message = interaction.message
    if message is None:
        return None
    viewer = actor.key if message.guild is None and actor.person is not None else OVERVIEW
    return viewer, CardAddress(str(message.channel.id), str(message.id))


def _closed(card: Card) -> str:
    return f"incident #{card.id} is already {card.status}; nothing to resolve"
