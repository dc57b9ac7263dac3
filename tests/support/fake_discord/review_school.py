"""The sample school on the fake Discord server with the review side wired: the coordinator and a second mentor have
Discord accounts too, and the adapter gets a real ReviewService over the same database.

    async with review_school(tmp_path) as r:
        posted = r.world.create_message(r.school.sanne.id, r.school.klas.id, "daan je bent een klootzak")
        card = await r.card_for(r.school.teacher)          # the mentor's DM card, with buttons
        response = await r.press(r.school.teacher, card, "ack", incident_id)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from adapters.discord.client import DiscordAdapter
from adapters.discord.review import ReviewSetup
from bot.app import Core
from moderation.incidents.review import ReviewService
from moderation.model import AccountId, Platform
from moderation.ports import Classifier
from moderation.storage.incidents import IncidentRow
from tests.support.core import make_core
from tests.support.fake_discord import permissions as p
from tests.support.fake_discord.model import DM, StoredMessage, User
from tests.support.fake_discord.school import BOT_TOKEN, School, build_school
from tests.support.fake_discord.server import FakeDiscord
from tests.support.fake_discord.state import World

EPHEMERAL = 64
MODAL = 9
DEFERRED = 5  # "thinking…", replaced by the first follow-up


@dataclass
class Reviewing:
    school: School
    fake: FakeDiscord
    core: Core
    adapter: DiscordAdapter
    service: ReviewService
    eva: User  # Mevr. Visser: a mentor, but not of Sanne or Daan
    abc: User  # Mevr. Yilmaz: the anti-bullying coordinator

    @property
    def world(self) -> World:
        return self.school.world

    def incident(self, incident_id: int) -> IncidentRow | None:
        with self.core.sessions() as session:
            query = select(IncidentRow).options(selectinload(IncidentRow.reviewers), selectinload(IncidentRow.history))
            row = session.scalars(query.where(IncidentRow.id == incident_id)).one_or_none()
            session.expunge_all()
            return row

    def incident_about(self, message: StoredMessage) -> IncidentRow | None:
        with self.core.sessions() as session:
            query = select(IncidentRow.id).where(IncidentRow.message_id == str(message.id))
            found = session.scalars(query.order_by(IncidentRow.id)).first()
        return self.incident(found) if found is not None else None

    def dm_messages(self, user: User) -> list[StoredMessage]:
        """What the bot sent `user` privately, oldest first."""
        dms = {c.id for c in self.world.channels.values() if c.type == DM and user.id in c.recipients}
        return [m for m in self.world.messages.values() if m.channel_id in dms and m.author_id == self.school.bot.id]

    def cards_for(self, user: User, incident_id: int) -> list[StoredMessage]:
        """The bot's DMs to `user` that show this incident: a card of its own or a section of a combined card."""
        return [
            m
            for m in self.dm_messages(user)
            if f"Melding #{incident_id}:" in shown(m) or f"Melding #{incident_id} " in shown(m)
        ]

    def overview_card(self, incident_id: int) -> StoredMessage | None:
        review = self.school.review.id
        return next(
            (
                m
                for m in self.world.messages.values()
                if m.channel_id == review and (f"#{incident_id}**" in m.content or _about(shown(m), incident_id))
            ),
            None,
        )

    async def card_for(self, user: User, incident_id: int) -> StoredMessage:
        await self.fake.wait_for(lambda: self.cards_for(user, incident_id))
        return self.cards_for(user, incident_id)[-1]

    async def settled(self, message: StoredMessage) -> IncidentRow:
        """The incident about `message`, once the pipeline has acted (and every card is out)."""

        def done() -> bool:
            row = self.incident_about(message)
            return row is not None and row.action_status != "pending"

        await self.fake.wait_for(done)
        row = self.incident_about(message)
        assert row is not None
        return row

    async def flagged(self, author: User, text: str) -> int:
        """`author` posts an abusive message in klas-2b; the id of its incident once every card is out."""
        posted = self.world.create_message(author.id, self.school.klas.id, text)
        return (await self.settled(posted)).id

    async def respond(self, interaction_id: int) -> dict[str, Any]:
        """What the presser finally sees: the initial response, or, after a deferred "thinking…" one, the
        follow-up that replaced it (with the initial response's type, 5)."""
        rest = self.fake.rest
        await self.fake.wait_for(lambda: interaction_id in rest.interaction_responses)
        first = rest.interaction_responses[interaction_id]
        if first.get("type") != DEFERRED:
            return first
        await self.fake.wait_for(lambda: interaction_id in rest.interaction_originals)
        return {"type": DEFERRED, "data": rest.interaction_originals[interaction_id]}

    async def press(
        self, user: User, message: StoredMessage, action: str, incident_id: int, values: list[str] | None = None
    ) -> dict[str, Any]:
        return await self.respond(self.fake.press(user, message, f"sw:{action}:{incident_id}", values=values))

    def history(self, incident_id: int) -> list[tuple[str, str, str]]:
        row = self.incident(incident_id)
        assert row is not None
        return [(h.actor, h.action, h.detail) for h in row.history]


def wire_school(school: School) -> tuple[User, User]:
    """Give the coordinator and the second mentor Discord accounts; Mevr. Visser also holds the staff role, so she
    can read the (staff-only) review channel of the sample school."""
    eva, abc = school.world.add_user("visser"), school.world.add_user("yilmaz")
    school.world.members[eva.id].role_ids.append(school.staff_role.id)
    school.accounts |= {"eva": eva, "abc": abc}
    return eva, abc


def leadership_only(school: School) -> None:
    """The review channel as review.py asks: hidden from the staff role, readable by leadership (the owner here)."""
    overwrites = school.world.channels[school.review.id].overwrites
    overwrites[(0, school.staff_role.id)] = p.Overwrite(school.staff_role.id, 0, 0, p.VIEW_CHANNEL)


@asynccontextmanager
async def review_school(
    tmp_path: Path,
    classifier: Classifier,
    *,
    leadership_only_review: bool = False,
    extra_settings: dict[str, Any] | None = None,
) -> AsyncIterator[Reviewing]:
    school = build_school()
    eva, abc = wire_school(school)
    if leadership_only_review:
        leadership_only(school)
    core = make_core(
        tmp_path,
        rooms=school.rooms(),
        people=school.people(),
        classifier=classifier,
        bot_accounts=frozenset({(Platform.DISCORD, AccountId(str(school.bot.id)))}),
        extra_settings=extra_settings,
    )
    service = core.review
    setup = ReviewSetup(service, core.roster.current, core.state)
    fake = FakeDiscord(school.world)
    async with fake.running():
        adapter = DiscordAdapter(school.config(), BOT_TOKEN, review=setup)
        await adapter.start(core.moderator)
        try:
            yield Reviewing(school, fake, core, adapter, service, eva, abc)
        finally:
            await adapter.stop()
            core.close()


def shown(message: StoredMessage) -> str:
    """What a person sees of a message: its text, then each embed's title and description."""
    parts = [message.content]
    for embed in message.embeds:
        parts += [str(embed.get("title") or ""), str(embed.get("description") or "")]
    return "\n".join(parts)


def _about(content: str, incident_id: int) -> bool:
    """A card of this incident, or what is left of one (the cards' title, or a withdrawn copy's sentence)."""
    return f"Melding #{incident_id}:" in content or f"Melding #{incident_id} " in content
