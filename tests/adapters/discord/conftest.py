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
from bot.app import Core
from moderation.model import AccountId, Platform
from moderation.storage.incidents import IncidentRow
from tests.adapters.discord.classifier import make_classifier
from tests.support.core import make_core
from tests.support.fake_discord import FakeDiscord, World
from tests.support.fake_discord.school import BOT_TOKEN, School, build_school
from tests.support.fake_discord.state import User


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
def rooms(school: School) -> list[dict[str, Any]]:
    """The [[rooms]] settings; override this fixture in a test module to run with other policies."""
    return school.rooms()


@pytest.fixture
def settings() -> dict[str, Any]:
    """Settings beyond the rooms and the people; override this fixture in a test module to change them."""
    return {}


@pytest.fixture
async def running(
    tmp_path: Path, school: School, rooms: list[dict[str, Any]], settings: dict[str, Any]
) -> AsyncIterator[Running]:
    core = make_core(
        tmp_path,
        rooms=rooms,
        people=school.people(),
        classifier=make_classifier(),
        bot_accounts=frozenset({(Platform.DISCORD, AccountId(str(school.bot.id)))}),
        extra_settings=settings,
    )
    fake = FakeDiscord(school.world)
    async with fake.running():
        adapter = DiscordAdapter(school.config(), BOT_TOKEN, state=core.state)
        await adapter.start(core.moderator)
        try:
            yield Running(school, fake, core, adapter)
        finally:
            await core.moderator.stop_taking(grace=10)  # as the bot stops: the notices and cards in hand finish
            await adapter.stop()
            core.close()
