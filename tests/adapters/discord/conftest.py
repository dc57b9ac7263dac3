"""A school on the fake Discord server, a real Moderator on SQLite, and the real adapter connected to both."""

from __future__ import annotations

import warnings

# discord.py imports `audioop` (deprecated since 3.11) for voice; pytest runs with warnings as errors. Until the
# project's pytest settings ignore that one warning, import discord.py here, before anything else does.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import discord  # noqa: F401

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from adapters.discord.client import DiscordAdapter
from adapters.discord.config import DiscordConfig
from bot.app import Core
from moderation.incidents.db import IncidentRow
from moderation.model import AccountId, Platform
from tests.support.core import SAMPLE_PEOPLE, make_core
from tests.support.fake_discord import FakeDiscord, World
from tests.support.fake_discord import permissions as p
from tests.support.fake_discord.state import GUILD_NEWS, Channel, Role, User

BOT_TOKEN = "bot-token-schoolwacht"

# What the bot's role grants in a correctly set-up school server.
BOT_PERMISSIONS = (
    p.VIEW_CHANNEL
    | p.SEND_MESSAGES
    | p.READ_MESSAGE_HISTORY
    | p.MANAGE_MESSAGES
    | p.MANAGE_ROLES
    | p.VIEW_AUDIT_LOG
    | p.MENTION_EVERYONE
    | p.CREATE_PUBLIC_THREADS
    | p.CREATE_PRIVATE_THREADS
    | p.SEND_MESSAGES_IN_THREADS
    | p.MODERATE_MEMBERS
)


@dataclass
class School:
    """The fake guild: who is who and which channel is which."""

    world: World
    owner: User
    bot: User
    teacher: User  # Meneer Jansen, mentor of Sanne and Daan, holds the staff role
    sanne: User
    daan: User
    ict: User  # a member with Manage Roles who "tidies up" channel settings (drift)
    staff_role: Role
    bot_role: Role
    announcements: Channel
    klas: Channel
    review: Channel

    def rooms(self) -> list[dict[str, Any]]:
        return [
            {
                "platform": "discord",
                "id": str(self.announcements.id),
                "name": "mededelingen-2b",
                "kind": "announcement",
                "posters": ["staff"],
                "abuse_action": "delete",
                "notify_sender": True,
            },
            {
                "platform": "discord",
                "id": str(self.klas.id),
                "name": "klas-2b",
                "kind": "student-run",
                "abuse_action": "delete",
                "notify_sender": True,
            },
        ]

    def people(self) -> list[dict[str, str]]:
        discord_ids = {"jan": self.teacher.id, "sanne": self.sanne.id, "daan": self.daan.id, "dir": self.owner.id}
        return [{**row, "discord_id": str(discord_ids.get(row["id"], ""))} for row in SAMPLE_PEOPLE]

    def config(self) -> DiscordConfig:
        return DiscordConfig(
            guild_id=self.world.guild_id,
            staff_role_id=self.staff_role.id,
            review_channel_id=self.review.id,
            guild_ready_timeout=0.05,
            ready_timeout=10.0,
        )


def build_school(*, bot_permissions: int = BOT_PERMISSIONS) -> School:
    world = World(guild_name="Minkema (test)")
    owner = world.add_user("rector")
    world.owner_id = owner.id
    bot = world.add_user("schoolwacht", bot=True, token=BOT_TOKEN)
    teacher, sanne, daan, ict = (world.add_user(n) for n in ("jansen", "sanne", "daan", "ict"))
    staff_role = world.add_role("docenten", members=(teacher,))
    bot_role = world.add_role("schoolwacht", bot_permissions, members=(bot,))
    ict_permissions = p.MANAGE_ROLES | p.MANAGE_CHANNELS | p.VIEW_AUDIT_LOG | p.SEND_MESSAGES
    world.add_role("ict-beheer", ict_permissions, members=(ict,))
    announcements = world.add_channel("mededelingen-2b", type=GUILD_NEWS)
    klas = world.add_channel("klas-2b")
    review = world.add_channel("incidenten")
    # The review channel is for staff only.
    world.channels[review.id].overwrites[(0, world.guild_id)] = p.Overwrite(world.guild_id, 0, 0, p.VIEW_CHANNEL)
    world.channels[review.id].overwrites[(0, staff_role.id)] = p.Overwrite(staff_role.id, 0, p.VIEW_CHANNEL, 0)
    world.channels[review.id].overwrites[(0, bot_role.id)] = p.Overwrite(bot_role.id, 0, p.VIEW_CHANNEL, 0)
    return School(world, owner, bot, teacher, sanne, daan, ict, staff_role, bot_role, announcements, klas, review)


@dataclass
class Running:
    school: School
    fake: FakeDiscord
    core: Core
    adapter: DiscordAdapter

    @property
    def world(self) -> World:
        return self.school.world

    def incidents(self) -> list[IncidentRow]:
        with self.core.sessions() as session:
            query = select(IncidentRow).options(selectinload(IncidentRow.reviewers), selectinload(IncidentRow.history))
            rows = list(session.scalars(query.order_by(IncidentRow.id)))
            session.expunge_all()
            return rows

    def settled_incident(self, message_id: int) -> IncidentRow | None:
        """The incident about this message once its actions are recorded (None before)."""
        found = [i for i in self.incidents() if i.message_id == str(message_id) and i.action_status != "pending"]
        return found[-1] if found else None

    def dms_to(self, user: User) -> list[str]:
        world = self.world
        dm_ids = {c.id for c in world.channels.values() if c.type == 1 and user.id in c.recipients}
        return [m.content for m in world.messages.values() if m.channel_id in dm_ids and m.author_id != user.id]

    def review_cards(self) -> list[str]:
        return [m.content for m in self.world.messages.values() if m.channel_id == self.school.review.id]

    async def wait_for(self, condition: Callable[[], object], timeout: float = 5.0) -> None:
        await self.fake.wait_for(condition, timeout=timeout)


StartAdapter = Callable[..., Any]


@pytest.fixture
def school() -> School:
    return build_school()


@pytest.fixture
async def running(tmp_path: Path, school: School) -> AsyncIterator[Running]:
    from tests.adapters.discord.classifier import make_classifier

    core = make_core(
        tmp_path,
        rooms=school.rooms(),
        people=school.people(),
        classifier=make_classifier(),
        bot_accounts=frozenset({(Platform.DISCORD, AccountId(str(school.bot.id)))}),
    )
    fake = FakeDiscord(school.world)
    async with fake.running():
        adapter = DiscordAdapter(school.config(), BOT_TOKEN)
        await adapter.start(core.moderator)
        try:
            yield Running(school, fake, core, adapter)
        finally:
            await adapter.stop()
            core.close()
