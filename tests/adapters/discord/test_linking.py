"""`/koppel` and `/ontkoppel` on the fake Discord server: a code to the school mailbox (a real SMTP server), typed
back in the slash command, links the account; only the person who typed it sees the answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import insert

from adapters.discord.client import DiscordAdapter
from bot.linking import attach_link_commands
from bot.texts.nl import DUTCH
from moderation.model import AccountId, Platform
from moderation.storage.links import PersonEmailRow
from tests.adapters.discord.classifier import make_classifier
from tests.adapters.discord.conftest import Running
from tests.support.core import make_core
from tests.support.fake_discord import FakeDiscord
from tests.support.fake_discord.school import BOT_TOKEN, School, build_school
from tests.support.smtp import Mailbox, smtp_server

say = DUTCH.linking

EPHEMERAL = 64


@pytest.fixture
async def linked(tmp_path: Path) -> AsyncIterator[tuple[Running, Mailbox]]:
    school: School = build_school()
    people = [{**p, "discord_id": ""} if p["id"] == "sanne" else p for p in school.people()]  # not in the export
    with smtp_server() as mailbox:
        smtp = {"host": "127.0.0.1", "port": mailbox.port, "from": "noreply@school.nl", "starttls": False}
        core = make_core(
            tmp_path,
            rooms=school.rooms(),
            people=people,
            classifier=make_classifier(),
            bot_accounts=frozenset({(Platform.DISCORD, AccountId(str(school.bot.id)))}),
            extra_settings={"smtp": smtp},
        )
        with core.sessions.begin() as session:
            session.execute(insert(PersonEmailRow), [{"person_id": "sanne", "email": "sanne@leerling.school.nl"}])
        fake = FakeDiscord(school.world)
        async with fake.running():
            adapter = DiscordAdapter(school.config(), BOT_TOKEN, state=core.state)
            linking = attach_link_commands(core, [adapter])
            assert linking is not None
            await adapter.start(core.moderator)
            try:
                yield Running(school, fake, core, adapter), mailbox
            finally:
                await linking.drain()
                await adapter.stop()
                core.close()


async def _ask(running: Running, name: str, value: str | None = None) -> str:
    options = [{"name": "nummer_of_code", "type": 3, "value": value}] if value is not None else []
    interaction = running.fake.invoke_command(running.school.sanne, running.school.klas.id, name, options=options)
    responses = running.fake.rest.interaction_responses
    await running.wait_for(lambda: interaction in responses)
    assert responses[interaction]["type"] == 4 and responses[interaction]["data"]["flags"] & EPHEMERAL
    return str(responses[interaction]["data"]["content"])


async def test_a_student_links_her_discord_account_with_the_code_from_her_mail(
    linked: tuple[Running, Mailbox],
) -> None:
    running, mailbox = linked
    names = {c["name"] for c in running.fake.rest.commands}
    assert {"koppel", "ontkoppel"} <= names
    sanne = AccountId(str(running.school.sanne.id))
    assert running.core.directory.person_for(Platform.DISCORD, sanne) is None
    assert await _ask(running, "koppel", "SANNE") == say.code_sent("/", 15)
    [mail] = mailbox.wait_for(1)
    assert mail["To"] == "sanne@leerling.school.nl" and "/koppel " in mail.get_content()
    answer = await _ask(running, "koppel", mailbox.code_in())
    assert answer == say.linked("Sanne Bakker", "/")
    person = running.core.directory.person_for(Platform.DISCORD, sanne)  # the bot knows her now, without a restart
    assert person is not None and person.id == "sanne"
    assert await _ask(running, "ontkoppel") == say.unlinked("Sanne Bakker")
    assert running.core.directory.person_for(Platform.DISCORD, sanne) is None
    assert not running.dms_to(running.school.sanne)  # everything was said in the private answers
