"""The review desk with the real Synapse, as `schoolwacht run` wires it: `!login` in a reviewer's direct room gives
a one-time link that signs them in, once; a change on the desk edits the card in their direct room; /healthz reads
the Matrix adapter's own state. (Who gets no link is tested on `with_login` in tests/bot/test_web_login.py.)"""

from __future__ import annotations

import re
import socket
from pathlib import Path

import aiohttp
import pytest

from bot.web import attach_desk_login, desk_running
from moderation.model import PersonId
from tests.adapters.matrix.helpers import School, eventually
from tests.adapters.matrix.test_rooms import running
from tests.adapters.matrix.test_staff_announcements import answer, bot_said, direct_room
from tests.support.desk import DeskClient, seed_incidents

pytestmark = pytest.mark.synapse


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def test_login_signs_a_mentor_in_once_and_a_desk_change_edits_their_card(
    school: School, tmp_path: Path, store_dir: Path
) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    core = school.make_core(tmp_path, [], extra_settings={"web": {"port": port, "public_url": url}})
    adapter = school.adapter(core, store_dir, review_service=core.review)
    attach_desk_login(core, [adapter])
    async with (
        running(core, adapter),
        desk_running(core, {}, [adapter]),
        aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http,
    ):
        dm = await direct_room(school, adapter, "jan")
        said = await answer(school, "jan", dm, "!login")
        found = re.search(rf"{re.escape(url)}/login\?t=(\S+)", said)
        assert found is not None and "één keer" in said, said
        async with http.get(found.group(0)) as link_page:  # what the mentor's phone opens: a button, no sign-in yet
            assert link_page.status == 200 and f'value="{found.group(1)}"' in await link_page.text()
        desk = DeskClient(http, url)
        await desk.sign_in(found.group(1))
        assert "Mijn meldingen" in await desk.page("/meldingen")
        async with http.post(f"{url}/login", data={"t": found.group(1)}, allow_redirects=False) as again:
            assert again.status == 403  # the link worked once

        async with http.get(f"{url}/healthz") as health:
            assert health.status == 200 and await health.json() == {"database": "ok", "matrix": "ok"}

        seed_incidents(core.sessions)  # #1 is Sanne's, for her mentor: its card goes to his direct room
        cards = adapter.enforcer.reviewer_cards if adapter.enforcer is not None else None
        assert cards is not None and await cards.deliver(1, [PersonId("jan")]) == []
        await eventually(lambda: _said(school, dm, "⚑ Melding #1: "), what="the card in the direct room")
        assert await desk.act(1, "resolve", note="gesprek gevoerd met Sanne") == "/meldingen/1?m=done"
        await eventually(lambda: _said(school, dm, "gesprek gevoerd met Sanne"), what="the card edited")


async def _said(school: School, dm: str, text: str) -> bool:
    return any(text in body for body in await bot_said(school, "jan", dm))
