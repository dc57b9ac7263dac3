"""The desk beside a running Discord adapter, as `schoolwacht run` wires it: a change made on the desk (through its
HTTP, with a real session) brings every chat card up to date and delivers the card to reviewers an escalation
added; /healthz and /metrics read the adapter's own state and the core's figures."""

from __future__ import annotations

import re
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.web import desk_backend, desk_running
from tests.adapters.discord.classifier import make_classifier
from tests.support.desk import DeskClient
from tests.support.fake_discord.review_school import Reviewing, review_school

INSULT = "daan je bent echt een klootzak"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
async def r(tmp_path: Path) -> AsyncIterator[Reviewing]:
    web = {"web": {"port": _free_port(), "public_url": "https://desk.school.nl"}}
    async with review_school(tmp_path, make_classifier(), extra_settings=web) as running:
        yield running


async def test_a_desk_change_updates_the_chat_cards_and_health_reads_the_platform(r: Reviewing) -> None:
    jan, director = r.school.teacher, r.school.owner
    n = await r.flagged(r.school.sanne, INSULT)
    await r.card_for(jan, n)
    assert not r.cards_for(director, n)
    web = r.core.settings.web
    assert web is not None
    running = desk_running(r.core, {"scheduler": lambda: True}, [r.adapter])
    async with running, aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as h:
        desk = DeskClient(h, f"http://127.0.0.1:{web.port}")
        token = desk_backend(r.core).link_for("jan")
        assert token is not None
        await desk.sign_in(token)
        went = await desk.act(n, "escalate", to="leadership", note="ernstig, schoolleiding moet dit zien")
        assert went == f"/meldingen/{n}?m=done"

        # The card reached the director, who had none; the mentor's, the coordinator's and the overview followed.
        leader_card = await r.card_for(director, n)
        assert "Doorgezet naar: de schoolleiding" in " ".join(leader_card.content.split())
        await r.fake.wait_for(lambda: "Doorgezet naar" in r.cards_for(jan, n)[-1].content)
        await r.fake.wait_for(lambda: "Doorgezet naar" in r.cards_for(r.abc, n)[-1].content)
        overview = r.overview_card(n)
        assert overview is not None and "Doorgezet naar" in overview.content
        escalated = [actor for actor, action, _ in r.history(n) if action.startswith("escalated")]
        assert escalated == ["desk as jan"]

        await desk.act(n, "resolve", note="gesprek met ouders gevoerd")
        await r.fake.wait_for(lambda: "gesprek met ouders gevoerd" in r.cards_for(director, n)[-1].content)
        assert r.cards_for(jan, n)[-1].components == []  # closed: no buttons left on any copy

        # /healthz and /metrics: the adapter's own state, and the core's figures through the metrics port.
        async with h.get(f"{desk.url}/healthz") as answer:
            assert answer.status == 200
            assert await answer.json() == {"database": "ok", "discord": "ok", "scheduler": "ok"}
        async with h.get(f"{desk.url}/metrics") as answer:
            figures = await answer.text()
        assert 'schoolwacht_messages_judged_total{platform="discord",verdict="insult"} 1.0' in figures
        assert 'schoolwacht_judgement_seconds_count{tier="text"} 1.0' in figures
        assert 'schoolwacht_actions_total{action="delete",outcome="done",platform="discord"} 1.0' in figures
        assert 'schoolwacht_incidents{status="resolved"} 1.0' in figures
        assert re.search(r'schoolwacht_sync_lag_seconds\{platform="discord"\} \d', figures)

        await r.adapter.stop()  # the platform is gone: the desk says so, and keeps serving
        async with h.get(f"{desk.url}/healthz") as answer:
            assert answer.status == 503
            assert (await answer.json())["discord"] == "fout"
