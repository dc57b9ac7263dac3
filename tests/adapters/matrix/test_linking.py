"""`!koppel` in a direct room with the bot on the real Synapse: a student whose Matrix account is not in the export
gets a code in her school mailbox (a real SMTP server), types it back, and the bot knows her from then on."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import insert

from bot.linking import attach_link_commands
from bot.texts.nl import DUTCH
from moderation.model import AccountId, Platform
from moderation.storage.links import PersonEmailRow
from tests.adapters.matrix.helpers import KeywordClassifier, School, eventually
from tests.adapters.matrix.test_staff_announcements import bot_said, direct_room
from tests.support.core import make_core
from tests.support.smtp import smtp_server

say = DUTCH.linking

pytestmark = pytest.mark.synapse


async def test_a_student_links_her_matrix_account_with_the_code_from_her_mail(
    school: School, tmp_path: Path, store_dir: Path
) -> None:
    noor = AccountId(school.uid("noor"))
    people = [{**p, "matrix_id": ""} if p["id"] == "noor" else p for p in school.people()]  # not in the export
    with smtp_server() as mailbox:
        smtp = {"host": "127.0.0.1", "port": mailbox.port, "from": "noreply@school.nl", "starttls": False}
        core = make_core(
            tmp_path,
            rooms=[],
            people=people,
            classifier=KeywordClassifier(),
            bot_accounts=frozenset({(Platform.MATRIX, AccountId(school.uid("bot")))}),
            extra_settings={"smtp": smtp},
        )
        with core.sessions.begin() as session:
            session.execute(insert(PersonEmailRow), [{"person_id": "noor", "email": "noor@leerling.school.nl"}])
        adapter = school.adapter(core, store_dir)
        linking = attach_link_commands(core, [adapter])
        assert linking is not None
        await adapter.start(core.moderator)
        try:
            dm = await direct_room(school, adapter, "noor")

            async def answers(count: int) -> list[str]:
                said = await bot_said(school, "noor", dm)
                return said if len(said) >= count else []

            await school.send("noor", dm, "!koppel noor")
            assert (await eventually(lambda: answers(1), what="the bot's answer"))[-1] == say.code_sent("!", 15)
            [mail] = mailbox.wait_for(1)
            assert mail["To"] == "noor@leerling.school.nl"
            await school.send("noor", dm, f"!koppel {mailbox.code_in()}")
            replies = await eventually(lambda: answers(2), what="the confirmation")
            person = core.directory.person_for(Platform.MATRIX, noor)
            assert replies[-1] == say.linked(person.name if person else "?", "!")
            assert person is not None and person.id == "noor"
        finally:
            await linking.drain()
            await adapter.stop()
            core.close()


async def test_someone_the_bot_does_not_know_yet_opens_a_direct_room_and_is_answered(
    school: School, tmp_path: Path, store_dir: Path
) -> None:
    people = [{**p, "matrix_id": ""} if p["id"] == "noor" else p for p in school.people()]  # not in the export
    with smtp_server() as mailbox:
        smtp = {"host": "127.0.0.1", "port": mailbox.port, "from": "noreply@school.nl", "starttls": False}
        core = make_core(
            tmp_path,
            rooms=[],
            people=people,
            classifier=KeywordClassifier(),
            bot_accounts=frozenset({(Platform.MATRIX, AccountId(school.uid("bot")))}),
            extra_settings={"smtp": smtp},
        )
        adapter = school.adapter(core, store_dir)
        linking = attach_link_commands(core, [adapter])
        assert linking is not None
        await adapter.start(core.moderator)
        try:
            body = {"preset": "trusted_private_chat", "is_direct": True, "invite": [school.uid("bot")]}
            dm = str((await school.api("noor", "POST", "/_matrix/client/v3/createRoom", body))["room_id"])
            assert adapter.enforcer is not None
            await eventually(lambda: adapter.enforcer and adapter.enforcer.is_direct_room_of(school.uid("noor"), dm))

            async def answered() -> list[str]:
                return await bot_said(school, "noor", dm)

            await school.send("noor", dm, "!koppel noor")
            assert (await eventually(answered, what="the bot's answer"))[-1] == say.code_sent("!", 15)
        finally:
            await linking.drain()
            await adapter.stop()
            core.close()
