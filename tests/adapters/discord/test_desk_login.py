"""`/login` on the fake Discord: a reviewer gets a one-time link to the desk, only they see it; a student gets a
plain refusal. Through discord.py's command tree and the real adapter."""

from __future__ import annotations

from pathlib import Path

from adapters.discord.client import DiscordAdapter
from bot.texts.nl import DUTCH
from bot.web import attach_desk_login, desk_backend
from moderation.texts import Phrase
from tests.adapters.discord.classifier import make_classifier
from tests.adapters.discord.test_reports import EPHEMERAL
from tests.support.core import make_core
from tests.support.fake_discord import FakeDiscord
from tests.support.fake_discord.school import BOT_TOKEN, School


async def test_login_gives_a_reviewer_a_private_one_time_link(tmp_path: Path, school: School) -> None:
    web = {"web": {"public_url": "https://desk.school.nl"}}
    core = make_core(
        tmp_path, rooms=school.rooms(), people=school.people(), classifier=make_classifier(), extra_settings=web
    )
    fake = FakeDiscord(school.world)
    async with fake.running():
        adapter = DiscordAdapter(school.config(), BOT_TOKEN, state=core.state)
        attach_desk_login(core, [adapter])
        await adapter.start(core.moderator)
        try:
            assert "login" in {c["name"] for c in fake.rest.commands}
            asked = fake.invoke_command(school.teacher, school.klas.id, "login")
            await fake.wait_for(lambda: asked in fake.rest.interaction_responses)
            answer = fake.rest.interaction_responses[asked]["data"]
            assert answer["flags"] & EPHEMERAL and "https://desk.school.nl/login?t=" in answer["content"]
            token = answer["content"].split("?t=", 1)[1].split()[0]
            redeemed = desk_backend(core).logins.redeem(token)
            assert redeemed is not None and redeemed[1].person_id == "jan"

            student = fake.invoke_command(school.sanne, school.klas.id, "login")
            await fake.wait_for(lambda: student in fake.rest.interaction_responses)
            assert fake.rest.interaction_responses[student]["data"]["content"] == DUTCH.phrase(Phrase.LOGIN_REFUSED)
        finally:
            await adapter.stop()
