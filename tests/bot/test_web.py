"""`schoolwacht run` serves the desk in its own event loop when `[web]` is set, and stops it with the bot."""

from __future__ import annotations

import socket
from pathlib import Path

import aiohttp
import pytest

from adapters.base import AdapterStartError
from bot.settings import SettingsError, settings_from_dict
from bot.web import desk_running
from tests.support.core import make_core


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def test_the_desk_serves_in_the_bots_loop_and_stops_with_it(tmp_path: Path) -> None:
    port = _free_port()
    web = {"web": {"port": port, "public_url": "https://desk.school.nl"}}
    core = make_core(tmp_path, rooms=[], with_classifier=False, extra_settings=web)
    scheduler_running = [True]
    async with aiohttp.ClientSession() as http:
        async with desk_running(core, {"scheduler": lambda: scheduler_running[0]}):
            async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                assert response.status == 200
                assert await response.json() == {"database": "ok", "scheduler": "ok"}
            scheduler_running[0] = False
            async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                assert response.status == 503
                assert (await response.json())["scheduler"] == "fout"
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0  # stopped: nothing listens any more


async def test_without_a_web_section_nothing_is_served(tmp_path: Path) -> None:
    core = make_core(tmp_path, rooms=[], with_classifier=False)
    async with desk_running(core, {}):
        assert core.settings.web is None


async def test_an_address_in_use_stops_the_start_with_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        web = {"web": {"port": taken.getsockname()[1], "public_url": "https://desk.school.nl"}}
        core = make_core(tmp_path, rooms=[], with_classifier=False, extra_settings=web)
        with pytest.raises(AdapterStartError, match=r"cannot listen on 127\.0\.0\.1"):
            async with desk_running(core, {}):
                pass


def test_the_web_section_is_checked_like_every_other() -> None:
    with pytest.raises(SettingsError, match=r"web\.public_url: .*'desk\.school\.nl' is not a web address"):
        settings_from_dict({"web": {"public_url": "desk.school.nl"}})
    with pytest.raises(SettingsError, match=r"unknown key 'web\.secret_key'"):
        settings_from_dict({"web": {"public_url": "https://desk.school.nl", "secret_key": "x"}})
    with pytest.raises(SettingsError, match=r"missing key 'web\.public_url'"):
        settings_from_dict({"web": {"port": 8080}})
    web = settings_from_dict({"web": {"public_url": "https://desk.school.nl/"}}).web
    assert web is not None and web.public_url == "https://desk.school.nl" and web.address == "127.0.0.1"
