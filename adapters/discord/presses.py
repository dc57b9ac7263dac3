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
    ESCALATE,
    MODAL_ACTIONS,
    PREFIX,
    RESOLVE,
    Press,
    escalate_modal,
    levels_above,
    parse_custom_id,
    read_level,
    read_modal,
    resolve_modal,
)
from moderation.incidents.access import Actor
from moderation.incidents.card_ledger import CardLedger
from moderation.incidents.commands import ChatReview, ReviewCommand
from moderation.incidents.review import Result, ReviewResult, ReviewService
from moderation.model import CLOSED_STATUSES, AccountId, Platform
from moderation.ports import OVERVIEW, CardAddress
from moderation.texts import Phrase, Withdrawal

log = logging.getLogger(__name__)


class Presses:
    def __init__(self, service: ReviewService, ledger: CardLedger, chat: ChatReview) -> None:
        self._service = service
        self._ledger = ledger
        self._chat = chat
        self._texts = chat.texts

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
            await _answer(interaction, self._texts.phrase(Phrase.UNKNOWN_BUTTON))
            return
        if not self._on_its_card(interaction, press):
            log.warning(
                "refused press %s by %s: message %s is not a card of incident #%s",
                raw,
                interaction.user.id,
                getattr(interaction.message, "id", None),
                press.incident_id,
            )
            await _answer(interaction, self._texts.phrase(Phrase.NOT_THIS_CARD))
            return
        actor = self._actor(interaction.user.id)
        if press.action == RESOLVE and not modal:
            await self._open_form(interaction, press, actor)  # the form must be the first answer itself
            return
        if press.action == ESCALATE and not modal and "values" not in data:  # a combined card's button
            await self._open_form(interaction, press, actor)
            return
        await _think(interaction)  # answer within Discord's 3 s; the work follows
        if modal and press.action == RESOLVE:
            command, result, said = await self._resolve(press, actor, data)
            await self._after(interaction, command, actor, result, said)
            return
        if modal:
            command = ReviewCommand("escalate", press.incident_id, target=read_level(data))
            await self._after(interaction, command, actor, await self._chat.change(actor, command))
            return
        command = _command(press, data)
        await self._after(interaction, command, actor, await self._chat.change(actor, command))

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

    async def _open_form(self, interaction: discord.Interaction, press: Press, actor: Actor) -> None:
        """The resolve form, or the escalation form of a combined card's button."""
        shown = await asyncio.to_thread(self._service.show, press.incident_id, actor)
        command = ReviewCommand("escalate" if press.action == ESCALATE else RESOLVE, press.incident_id)
        if shown.card is None:  # not theirs
            await self._after(interaction, command, actor, shown)
            return
        no_levels = press.action == ESCALATE and not levels_above(shown.card)
        if shown.card.status in CLOSED_STATUSES or no_levels:  # nothing left to do
            await self._after(interaction, command, actor, replace(shown, result=Result.UNCHANGED))
            return
        if press.action == ESCALATE:
            await interaction.response.send_modal(escalate_modal(shown.card, self._texts))
        else:
            await interaction.response.send_modal(resolve_modal(press.incident_id, self._texts))

    async def _resolve(
        self, press: Press, actor: Actor, data: dict[str, Any]
    ) -> tuple[ReviewCommand, ReviewResult, str]:
        """The resolve form's outcome, and what to answer: nothing the reviewer typed is lost when it failed."""
        form = read_modal(data)
        command = ReviewCommand(
            RESOLVE, press.incident_id, text=form.note, measure=form.measure, parents_informed=form.parents_informed
        )
        result = await self._chat.change(actor, command)
        said = self._chat.say(command, result)
        if result.result in (Result.INVALID, Result.FORBIDDEN, Result.NOT_FOUND) and form.note.strip():
            said += "\n" + self._texts.phrase(Phrase.NOTE_NOT_SAVED).format(note=form.note.strip()[:1500])
        return command, result, said

    async def _after(
        self,
        interaction: discord.Interaction,
        command: ReviewCommand,
        actor: Actor,
        result: ReviewResult,
        said: str | None = None,
    ) -> None:
        await _answer(interaction, said if said is not None else self._chat.say(command, result))
        pressed = _pressed(interaction, actor)
        n = command.incident_id
        assert n is not None
        if result.result is Result.NOT_FOUND and pressed is not None:
            await self._ledger.retire(n, *pressed, Withdrawal.GONE)
        elif result.card is not None and result.result is Result.DONE:
            await self._ledger.follow(result, pressed)
        elif result.card is not None and pressed is not None:
            await self._ledger.show_in(n, *pressed, result.card)  # the current state where it was pressed


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
