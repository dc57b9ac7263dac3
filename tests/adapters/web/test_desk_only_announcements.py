"""A desk that runs on its own (`schoolwacht web`, its own process, no chat platform) and the bot's `run` side on the
fake Discord server, sharing one database: a teacher composes an announcement in a real browser on the desk alone;
it is stored, shown as waiting to be sent, and the desk says no bot is connected yet. The desk process is killed;
once the `run` side is up it posts the announcement once, and the desk, started again, shows when it was sent. The
same form sent again posts nothing twice."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from adapters.discord.client import DiscordAdapter
from bot.app import Core
from bot.relay import RunningRelay, attach_staff_commands, desk_announcements, start_relay
from bot.texts.nl import DUTCH
from bot.texts.nl_desk import WORDS
from bot.web import desk_backend, login_link
from moderation.announcements.staff import StaffAnnouncements
from moderation.model import AccountId, PersonId, Platform
from tests.adapters.web.conftest import PHONE, _free_port, screenshot
from tests.support.core import make_core
from tests.support.fake_discord import FakeDiscord
from tests.support.fake_discord.school import BOT_TOKEN, School, build_school

ROOT = Path(__file__).resolve().parents[3]
SAY = DUTCH.announcements


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


class DeskProcess:
    """`schoolwacht web` as its own process, with its log in a file."""

    def __init__(self, config: Path, url: str) -> None:
        self._config = config
        self._url = url
        self._process: subprocess.Popen[bytes] | None = None
        self.log = config.parent / "desk.log"

    def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "bot", "web", "--config", str(self._config)],
                cwd=str(self._config.parent),
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while True:
            assert self._process.poll() is None, self.log.read_text(encoding="utf-8", errors="replace")
            try:
                with urllib.request.urlopen(f"{self._url}/healthz", timeout=2):
                    return
            except urllib.error.HTTPError:
                return  # it answers
            except OSError:
                assert time.monotonic() < deadline, "the desk did not start listening"
                time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: the process ends where it stands, nothing cleaned up."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait(timeout=30)


@dataclass
class Setting:
    school: School
    core: Core  # the `run` side's (and the test's) view of the shared database
    desk: DeskProcess
    url: str
    loop: asyncio.AbstractEventLoop  # the fake Discord server's and the `run` side's

    def on_loop(self, work: Callable[[], Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(work(), self.loop).result(60)

    def posts(self) -> list[tuple[str, int]]:
        channel, bot = self.school.announcements.id, self.school.bot.id

        async def read() -> list[tuple[str, int]]:
            return [
                (m.content, len(m.components))
                for m in self.school.world.messages.values()
                if m.channel_id == channel and m.author_id == bot
            ]

        found: list[tuple[str, int]] = self.on_loop(read)
        return found


@pytest.fixture
def setting(tmp_path: Path) -> Iterator[Setting]:
    school = build_school()
    rooms: list[dict[str, Any]] = [{**school.rooms()[0], "posters": ["jan"]}, *school.rooms()[1:]]
    ready: dict[str, Any] = {}
    started, stop = threading.Event(), threading.Event()

    async def main() -> None:
        async with FakeDiscord(school.world).running():
            ready["loop"] = asyncio.get_running_loop()
            started.set()
            await asyncio.to_thread(stop.wait)

    thread = threading.Thread(target=lambda: asyncio.run(main()), daemon=True)
    thread.start()
    assert started.wait(15), "the fake Discord server did not start"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    discord = {"guild_id": school.world.guild_id, "staff_role_id": school.staff_role.id}
    core = make_core(
        tmp_path,
        rooms=rooms,
        people=school.people(),
        with_classifier=False,
        bot_accounts=frozenset({(Platform.DISCORD, AccountId(str(school.bot.id)))}),
        extra_settings={
            "web": {"port": port, "public_url": url},
            "bot": {"platforms": ["discord"]},
            "discord": discord,
        },
    )
    lines = [
        "[database]",
        f"url = {_toml(core.settings.database_url())}",
        "[bot]",
        'platforms = ["discord"]',
        "[classifier]",
        'ml_backend = "none"',
        "[discord]",
        *(f"{k} = {_toml(v)}" for k, v in discord.items()),
        "[web]",
        f"port = {port}",
        f"public_url = {_toml(url)}",
    ]
    for room in rooms:
        lines += ["[[rooms]]", *(f"{k} = {_toml(v)}" for k, v in room.items())]
    config = tmp_path / "schoolwacht.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    desk = DeskProcess(config, url)
    try:
        yield Setting(school, core, desk, url, ready["loop"])
    finally:
        desk.kill()
        core.close()
        stop.set()
        thread.join(15)


def _signed_in(browser: Browser, setting: Setting, person_id: str) -> Page:
    link = login_link(
        setting.core, desk_backend(setting.core, announcements=desk_announcements(setting.core)), person_id
    )
    assert link is not None
    page = browser.new_context(viewport=PHONE, locale="nl-NL").new_page()
    page.goto(link)
    page.get_by_role("button", name="Inloggen op de desk").click()
    page.wait_for_load_state()
    return page


def test_an_announcement_composed_on_a_desk_of_its_own_is_sent_once_by_the_bot(
    browser: Browser, setting: Setting
) -> None:
    setting.desk.start()
    page = _signed_in(browser, setting, "jan")
    try:
        page.get_by_role("link", name="Mededelingen").click()
        page.get_by_label("mededelingen-2b (discord)").check()
        page.get_by_label("Tekst", exact=True).fill("Morgen geen gym")
        page.get_by_label(WORDS.ask_read).check()
        page.get_by_role("button", name="Voorbeeld bekijken").click()
        # Composed as the bot will post it, though this process has no platform: Discord asks with a button.
        expect(page.locator("blockquote.post")).to_have_text(["Mededeling van Meneer Jansen (2B): Morgen geen gym"])
        expect(page.locator("p.read-button")).to_have_text([WORDS.read_button])
        form = page.locator("form[action='/mededelingen/versturen'] input").evaluate_all(
            "inputs => inputs.map(i => [i.name, i.value])"
        )
        page.get_by_role("button", name="Versturen").click()
        status = page.get_by_role("status")
        expect(status).to_contain_text("wacht op verzending")
        expect(status).to_contain_text(SAY.nobody_delivers(["discord"]))  # no `run` process yet: it says so
        mine = page.locator("ul.announcements > li").first
        expect(mine.locator("p.state")).to_have_text("wacht op verzending")
        expect(mine.locator("ul.rooms li")).to_have_text(
            ["2B · mededelingen-2b (discord): wacht op verzending · 0 gelezen"]
        )
        screenshot(page, "mededeling-wacht-op-verzending")
        assert setting.posts() == []  # nothing posted by the desk
    finally:
        setting.desk.kill()  # killed, as a machine going down would

    core = setting.core

    async def run_side() -> tuple[DiscordAdapter, StaffAnnouncements | None, RunningRelay | None]:
        """What `schoolwacht run` composes for announcements: the platform, the teachers' service, the delivery."""
        adapter = DiscordAdapter(
            replace(setting.school.config(), bot_posts_announcements=True), BOT_TOKEN, state=core.state
        )
        staff = attach_staff_commands(core, [adapter])
        await adapter.start(core.moderator)
        return adapter, staff, start_relay(core, [adapter], staff)

    adapter, staff, relay = setting.on_loop(run_side)
    assert staff is not None
    try:
        deadline = time.monotonic() + 20
        while not setting.posts():
            assert time.monotonic() < deadline, "the bot did not post the queued announcement"
            time.sleep(0.05)
        assert setting.posts() == [("Mededeling van Meneer Jansen (2B): Morgen geen gym", 1)]  # with its button

        setting.desk.start()
        page.goto(f"{setting.url}/mededelingen")
        mine = page.locator("ul.announcements > li").first
        expect(mine.locator("p.state")).to_have_text("verstuurd naar 1 van 1")
        sent = re.compile(r"^2B · mededelingen-2b \(discord\): verstuurd \w\w \d+ \w+ om \d\d:\d\d · 0 gelezen$")
        expect(mine.locator("ul.rooms li")).to_have_text([sent])  # and when it went out
        screenshot(page, "mededeling-verstuurd")

        # The same form again (a reload after the desk went down): the same announcement, nothing sent twice.
        body = "&".join(f"{k}={urllib.parse.quote(str(v), safe='')}" for k, v in form)
        again = page.request.post(
            f"{setting.url}/mededelingen/versturen",
            data=body,
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert again.status == 200
        time.sleep(6)  # a delivery pass (every 5 s) has looked at the queue since
        assert setting.posts() == [("Mededeling van Meneer Jansen (2B): Morgen geen gym", 1)]
        jan = core.directory.person(PersonId("jan"))
        assert jan is not None and len(staff.composer.sent_by(jan)) == 1
    finally:
        page.context.close()

        async def stop_run_side() -> None:
            if relay is not None:
                await relay.stop()
            await adapter.stop()
            assert staff is not None and staff.fanout.lease is not None
            staff.fanout.lease.release()

        setting.on_loop(stop_run_side)
