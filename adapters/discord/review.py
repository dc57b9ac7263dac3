"""Reviewing incidents on Discord: each reviewer's card in a DM, with buttons; the review channel as an overview.

The review channel, when configured, is school leadership's overview of every incident and MUST be visible to
school leadership only (deny View Channel to @everyone, allow it to a leadership role and the bot). Cards going out
are card_port.py's, presses coming in presses.py's; the core's card ledger keeps every copy (each DM and the
overview) in step, also after a restart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import discord

from adapters.discord.card_port import KEYS, DiscordCards
from adapters.discord.ledger_state import RememberedState
from adapters.discord.pacing import Pace
from adapters.discord.presses import Presses
from adapters.discord.review_view import card_view, fresh_card
from moderation.digest import Digest
from moderation.incidents.card_ledger import CardLedger
from moderation.incidents.card_locations import CardLocations
from moderation.incidents.commands import ChatReview
from moderation.incidents.review import ReviewService
from moderation.model import AccountId, Person, PersonId, Platform
from moderation.ports import Directory, IncidentDraft, IncidentRef, StateStore
from moderation.texts import Texts


@dataclass(frozen=True, slots=True)
class ReviewSetup:
    """What the adapter needs for the review side (built by the composition root)."""

    service: ReviewService
    directory: Callable[[], Directory]
    state: StateStore


class DiscordReview:
    def __init__(
        self,
        client: discord.Client,
        setup: ReviewSetup,
        texts: Texts,
        overview_channel: int | None = None,
        pace: Pace | None = None,
    ) -> None:
        self._directory = setup.directory
        self._texts = texts
        self.cards = DiscordCards(client, texts, overview_channel, pace)
        self.state = RememberedState(setup.state)  # the ledger's keys: every write of them goes through here
        locations = CardLocations(self.state, KEYS)
        self.ledger = CardLedger(self.cards, locations, setup.service, texts, platform="discord")
        self._presses = Presses(setup.service, self.ledger, ChatReview(setup.service, texts, self.ledger))

    def overview_view(self, incident: IncidentRef) -> discord.ui.View | None:
        return card_view(fresh_card(incident), self._texts)

    def reviewers(self, draft: IncidentDraft) -> list[PersonId]:
        """Who gets the card by DM: the routed reviewers, school leadership when nobody was routed."""
        return [r.person_id for r in draft.reviewers] or [p.id for p in self._directory().leadership()]

    async def deliver(self, incident: IncidentRef, *, key: str | None = None) -> list[str]:
        """DM the card to each reviewer (leadership when unrouted); what failed (the incident records the
        announcement as failed then)."""
        return await self.ledger.deliver(incident.id, self.reviewers(incident.draft), key=key)

    async def handle(self, interaction: discord.Interaction) -> None:
        await self._presses.handle(interaction)

    async def withdraw(self, incident_id: int) -> int:
        """Clear every copy of an incident's card (AVG: after retention or a privacy erase the excerpt must not
        live on in DMs). Returns how many copies were cleared."""
        return await self.ledger.withdraw(incident_id)

    async def send_digest(self, reviewer: Person, digest: Digest) -> bool:
        return await self.cards.send_digest(reviewer, digest)

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
