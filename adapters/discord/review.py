"""Reviewing incidents on Discord: each reviewer's card in a DM, with buttons; the review channel as an overview.

Where the cards go, and why (AVG, R12): a card in a channel is read by everyone who can see that channel, while a
mentor may only see their own students' incidents. So every routed incident goes to each of its reviewers as a
direct message, rendered by `ReviewService.show` for that reviewer (who may see it, recorded as read; the reporter of
a report only for school leadership). Unrouted incidents go to school leadership, like the digest. The review
channel, when configured, is school leadership's overview of every incident and MUST be visible to school leadership
only (deny View Channel to @everyone, allow it to a leadership role and the bot). A reviewer whose DMs are closed, or
who has no Discord account, still finds their incidents in the daily digest and `schoolwacht incidents`.

Every press is authorised by `ReviewService` as the presser (their Discord id mapped through the roster); a refused
press is answered privately ("not yours to review") and the service records it. A press acts only on the card it was
made on: the pressed message must be one of the stored copies of that incident's card (a crafted custom_id on one
card cannot change another incident). Discord wants one initial answer within 3 s, so a press is answered first
("thinking…", only the presser sees it) and the database work follows; the outcome then replaces that answer. After a
change, every copy of the card (each DM and the overview) is edited to the new state; the card locations are kept in
the state table, so that this still works after a restart.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

import discord
from discord.utils import MISSING

from adapters.discord.card import CARD_LIMIT, render_review_card, split_message
from adapters.discord.card_locations import OVERVIEW, CardLocations, Location
from adapters.discord.review_view import (
    ACK,
    BUTTON_ACTIONS,
    DISMISS,
    ESCALATE,
    MODAL_ACTIONS,
    PREFIX,
    RESOLVE,
    Press,
    card_view,
    fresh_card,
    parse_custom_id,
    read_modal,
    resolve_modal,
)
from moderation.digest import Digest, render_digest
from moderation.incidents.access import Actor, sees_reporter
from moderation.incidents.cards import Card
from moderation.incidents.review import Result, ReviewResult, ReviewService, parse_escalation
from moderation.model import CLOSED_STATUSES, AccountId, Person, PersonId, Platform
from moderation.ports import Directory, IncidentRef, StateStore

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
CANNOT_DM = 50007  # "Cannot send messages to this user": the reviewer closed their DMs
NO_MUTUAL_GUILDS = 50278  # the reviewer left the server: no DM reaches them
UNREACHABLE = frozenset({CANNOT_DM, NO_MUTUAL_GUILDS})
NOT_THIS_CARD = "That button does not belong to this card. Use the buttons on the card of the incident itself."


@dataclass(frozen=True, slots=True)
class ReviewSetup:
    """What the adapter needs for the review side (built by the composition root)."""

    service: ReviewService
    directory: Callable[[], Directory]
    state: StateStore


class DiscordReview:
    def __init__(self, client: discord.Client, setup: ReviewSetup) -> None:
        self._client = client
        self._service = setup.service
        self._directory = setup.directory
        self.locations = CardLocations(setup.state)
        # One change at a time: the service's row lock (FOR UPDATE) is a no-op on SQLite, where two presses at once
        # could otherwise both find the incident open. Changes take milliseconds, so one lock for all is enough.
        self._changing = asyncio.Lock()

    # -- cards out --------------------------------------------------------------------------------------------

    def overview_view(self, incident: IncidentRef) -> discord.ui.View | None:
        return card_view(fresh_card(incident))

    async def deliver(self, incident: IncidentRef) -> list[str]:
        """DM the card to each reviewer (leadership when unrouted). A closed DM or a missing account is the
        reviewer's choice, logged only: the incident reaches them through the digest. Any other failure (Discord
        still failing after discord.py's retries) is returned, so the incident records the announcement as failed."""
        ids = [r.person_id for r in incident.draft.reviewers] or [p.id for p in self._directory().leadership()]
        return await self._deliver_to(incident.id, ids)

    async def _deliver_to(self, incident_id: int, people: Iterable[PersonId]) -> list[str]:
        failures: list[str] = []
        directory = self._directory()
        for pid in dict.fromkeys(people):
            person = directory.person(pid)
            account = _discord_account(person) if person is not None else None
            if person is None or account is None:
                continue
            shown = await asyncio.to_thread(self._service.show, incident_id, Actor.of(person))
            if shown.card is None:
                continue  # not theirs to see (the service recorded the refusal)
            try:
                channel = await self._dm_channel(account)
                sent = await channel.send(
                    render_review_card(shown.card), view=card_view(shown.card) or MISSING, allowed_mentions=NO_MENTIONS
                )
            except discord.HTTPException as exc:
                log.warning("incident #%s: could not DM the card to %s: %s", incident_id, pid, exc)
                if exc.code not in UNREACHABLE:
                    failures.append(f"card for {pid}: {exc.status} {exc.text or exc.code}")
                continue
            self.locations.add(incident_id, Location(channel.id, sent.id, str(pid)))
        return failures

    async def _dm_channel(self, account: int) -> discord.DMChannel:
        user = self._client.get_user(account) or await self._client.fetch_user(account)
        return await user.create_dm()

    async def refresh(self, incident_id: int, card: Card, extra: Location | None = None) -> None:
        """Edit every copy of the card to `card`'s state, each as its viewer may see it."""
        places = self.locations.of(incident_id)
        if extra is not None and all(loc.message_id != extra.message_id for loc in places):
            places.append(extra)
        for where in places:
            await self._edit(where, card)

    async def _edit(self, where: Location, card: Card) -> None:
        """One copy of the card: the reporter only in a leadership member's own DM, never in a shared channel."""
        directory = self._directory()
        viewer = directory.person(PersonId(where.viewer)) if where.viewer != OVERVIEW else None
        if viewer is None and where.viewer != OVERVIEW:  # the reviewer left the school: no more news for them
            await self._retire(where, card.id, "is no longer yours to review")
            return
        leadership = viewer is not None and sees_reporter(Actor.of(viewer), directory)
        shown = card if leadership else replace(card, reporter=None)
        message = self._client.get_partial_messageable(where.channel_id).get_partial_message(where.message_id)
        try:
            await message.edit(content=render_review_card(shown), view=card_view(shown))
        except discord.NotFound:
            self.locations.drop(card.id, where.message_id)  # deleted by hand: nothing to update any more
        except discord.HTTPException as exc:
            log.warning("incident #%s: card %s not updated: %s", card.id, where.message_id, exc)

    def overview_readers(self, channel: discord.abc.GuildChannel) -> list[str]:
        """Members other than bots and school leadership (per the roster) who can read the overview channel."""
        directory = self._directory()
        readers = []
        for member in channel.guild.members:
            if member.bot or not channel.permissions_for(member).view_channel:
                continue
            person = directory.person_for(Platform.DISCORD, AccountId(str(member.id)))
            if person is None or not person.is_leadership:
                readers.append(f"{member.name} ({person.name if person else 'not on the roster'})")
        return sorted(readers)

    # -- presses in -------------------------------------------------------------------------------------------

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
            await _answer(interaction, "I do not know that button (any more). Use the newest card, or `!list open`.")
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
            async with self._changing:
                result = await asyncio.to_thread(self._act, press, actor, data)
        await self._after(interaction, press, actor, result)

    def _on_its_card(self, interaction: discord.Interaction, press: Press) -> bool:
        """The pressed message is a stored copy of this incident's card. A modal submitted without a message, or
        card locations that cannot be read, cannot be checked: the service's authorisation still applies."""
        message = interaction.message
        if message is None:
            return interaction.type is discord.InteractionType.modal_submit
        known = self.locations.known(press.incident_id)
        return known is None or any(loc.message_id == message.id for loc in known)

    def _actor(self, user_id: int) -> Actor:
        # Someone not on the roster still asks as someone: the service refuses and records the Discord id.
        return self._service.actor_for(Platform.DISCORD, AccountId(str(user_id))) or Actor(key=f"discord:{user_id}")

    def _act(self, press: Press, actor: Actor, data: dict[str, Any]) -> ReviewResult:
        if press.action == ACK:
            return self._service.acknowledge(press.incident_id, actor)
        if press.action == DISMISS:
            return self._service.dismiss(press.incident_id, actor)
        assert press.action == ESCALATE
        values = data.get("values")
        level = str(values[0]) if isinstance(values, list) and values else ""
        if parse_escalation(level) is None:  # checked here too: the level also picks whom to DM afterwards
            return ReviewResult(Result.INVALID, "escalate to what? choose coordinator, leadership or police")
        return self._service.escalate(press.incident_id, actor, level)

    async def _open_resolve(self, interaction: discord.Interaction, press: Press, actor: Actor) -> None:
        shown = await asyncio.to_thread(self._service.show, press.incident_id, actor)
        if shown.card is None:
            await self._after(interaction, press, actor, shown)
            return
        if shown.card.status in CLOSED_STATUSES:
            closed = ReviewResult(Result.UNCHANGED, _closed(shown.card), shown.card)
            await self._after(interaction, press, actor, closed)
            return
        await interaction.response.send_modal(resolve_modal(press.incident_id))

    async def _resolve(self, press: Press, actor: Actor, data: dict[str, Any]) -> ReviewResult:
        form = read_modal(data)
        async with self._changing:
            result = await asyncio.to_thread(
                lambda: self._service.resolve(
                    press.incident_id, actor, form.note, measure=form.measure, parents_informed=form.parents_informed
                )
            )
        if result.result in (Result.INVALID, Result.FORBIDDEN, Result.NOT_FOUND) and form.note.strip():
            keep = f"\nYour note (not saved), to copy: {form.note.strip()[:1500]}"
            result = replace(result, message=result.message + keep)  # nothing the reviewer typed is lost
        return result

    async def _after(self, interaction: discord.Interaction, press: Press, actor: Actor, result: ReviewResult) -> None:
        await _answer(interaction, result.message)
        pressed = _pressed_location(interaction, actor)
        if result.result is Result.NOT_FOUND and pressed is not None:
            await self._retire(pressed, press.incident_id)
        elif result.card is not None and result.result is Result.DONE:
            await self.refresh(press.incident_id, result.card, pressed)
            if press.action == ESCALATE and result.card.escalation:
                await self._deliver_to(press.incident_id, self._escalated_to(result.card.escalation, press))
        elif result.card is not None and pressed is not None:
            await self._edit(pressed, result.card)  # show the current state where it was pressed

    def _escalated_to(self, level: str, press: Press) -> list[PersonId]:
        known = {loc.viewer for loc in self.locations.of(press.incident_id)}
        directory = self._directory()
        people = list(directory.coordinators()) if level == "coordinator" else []
        people = people or list(directory.leadership())
        return [p.id for p in people if str(p.id) not in known]

    async def _retire(self, where: Location, incident_id: int, notice: str = "no longer exists (erased)") -> None:
        """The stale card loses its content and its buttons (the incident is gone, or its text was erased)."""
        message = self._client.get_partial_messageable(where.channel_id).get_partial_message(where.message_id)
        try:
            await message.edit(content=f"Incident #{incident_id} {notice}.", view=None)
        except discord.NotFound:
            pass  # deleted by hand: nothing left to clear
        except discord.HTTPException as exc:
            log.warning("stale card %s of incident #%s not cleared: %s", where.message_id, incident_id, exc)
            return  # keep the location: a later withdraw may succeed
        self.locations.drop(incident_id, where.message_id)

    async def withdraw(self, incident_id: int, notice: str) -> int:
        """Clear every copy of an incident's card (AVG: after retention or a privacy erase the excerpt must not
        live on in DMs). Returns how many copies were cleared."""
        places = self.locations.of(incident_id)
        for where in places:
            await self._retire(where, incident_id, notice)
        return len(places) - len(self.locations.of(incident_id))

    # -- the daily digest -------------------------------------------------------------------------------------

    async def send_digest(self, reviewer: Person, digest: Digest) -> bool:
        account = _discord_account(reviewer)
        if account is None:
            return False
        try:
            channel = await self._dm_channel(account)
            for chunk in split_message(render_digest(reviewer, digest)):
                await channel.send(chunk, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            log.warning("discord: digest for %s not delivered: %s", reviewer.id, exc)
            return False
        return True


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


def _pressed_location(interaction: discord.Interaction, actor: Actor) -> Location | None:
    message = interaction.message
    if message is None:
        return None
    viewer = actor.key if message.guild is None and actor.person is not None else OVERVIEW
    return Location(message.channel.id, message.id, viewer)


def _discord_account(person: Person) -> int | None:
    for account in person.accounts:
        if account.platform is Platform.DISCORD and account.id.isascii() and account.id.isdigit():
            return int(account.id)
    return None


def _closed(card: Card) -> str:
    return f"incident #{card.id} is already {card.status}; nothing to resolve"
