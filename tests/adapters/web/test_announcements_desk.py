"""The Mededelingen page in a real browser at phone width, beside a real Discord adapter on the fake Discord server:
a teacher composes one announcement to two class rooms with "Gelezen ✓", sees it as students will, sends it through
the same service as `!mededeling`, sees it arrive, and retracts it from the list. Refusals and CSRF over HTTP."""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select

from adapters.discord.announcer import DiscordAnnouncer
from adapters.discord.client import DiscordAdapter
from adapters.web.backend import DeskBackend
from bot.app import Core
from bot.relay import build_staff_announcements
from bot.texts.nl_desk import WORDS
from bot.web import build_desk, desk_backend, login_link, server
from moderation.model import AccountId, Platform
from moderation.storage.staff_announcements import StaffAnnouncementRow
from tests.adapters.web.conftest import PHONE, _free_port, screenshot
from tests.adapters.web.test_desk_pages import A11Y
from tests.support.core import make_core
from tests.support.fake_discord import FakeDiscord
from tests.support.fake_discord.school import BOT_TOKEN, School, build_school
from tests.support.fake_discord.state import GUILD_NEWS

T = TypeVar("T")
PIET = {"id": "piet", "name": "Meneer De Vries", "role": "staff"}  # reviews nobody, posts in 2B


@dataclass
class Composer:
    url: str
    core: Core
    school: School
    channels: dict[str, int]  # class → its announcement channel
    loop: asyncio.AbstractEventLoop
    backend: DeskBackend  # with the announcements service, as `!login` in chat asks it

    def link(self, person_id: str) -> str | None:
        return login_link(self.core, self.backend, person_id)

    def on_loop(self, read: Callable[[], T]) -> T:
        """Read the fake Discord world on its own loop (it changes there)."""

        async def run() -> T:
            return read()

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(5)

    def posts(self, cls: str) -> list[tuple[str, int]]:
        """The bot's messages in the class's channel: (text, number of buttons)."""
        channel, bot = self.channels[cls], self.school.bot.id
        return self.on_loop(
            lambda: [
                (m.content, len(m.components))
                for m in self.school.world.messages.values()
                if m.channel_id == channel and m.author_id == bot
            ]
        )

    def wait_posts(self, cls: str, wanted: Callable[[list[tuple[str, int]]], bool]) -> list[tuple[str, int]]:
        deadline = time.monotonic() + 5
        while not wanted(found := self.posts(cls)):
            assert time.monotonic() < deadline, found
            time.sleep(0.02)
        return found

    def recorded(self) -> int:
        with self.core.sessions() as session:
            return int(session.scalar(select(func.count()).select_from(StaffAnnouncementRow)) or 0)


@pytest.fixture(scope="module")
def composer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Composer]:
    """The desk and a Discord adapter in one event loop on a thread, as `schoolwacht run` serves them."""
    folder: Path = tmp_path_factory.mktemp("composer")
    school = build_school()
    ch3a = school.world.add_channel("mededelingen-3a", type=GUILD_NEWS)
    rooms: list[dict[str, Any]] = [
        {**school.rooms()[0], "posters": ["jan", "piet"]},
        *school.rooms()[1:],
        {
            "platform": "discord",
            "id": str(ch3a.id),
            "name": "mededelingen-3a",
            "kind": "announcement",
            "posters": ["jan"],
        },
    ]
    ready: dict[str, Any] = {}
    started, stop = threading.Event(), threading.Event()

    async def main() -> None:
        async with FakeDiscord(school.world).running():
            port = _free_port()  # after the fake server has its own
            url = f"http://127.0.0.1:{port}"
            core = make_core(
                folder,
                rooms=rooms,
                people=[*school.people(), PIET],
                with_classifier=False,
                bot_accounts=frozenset({(Platform.DISCORD, AccountId(str(school.bot.id)))}),
                extra_settings={"web": {"port": port, "public_url": url}},
            )
            adapter = DiscordAdapter(
                replace(school.config(), bot_posts_announcements=True), BOT_TOKEN, state=core.state
            )
            await adapter.start(core.moderator)
            staff = build_staff_announcements(core, [DiscordAnnouncer(adapter, core.moderator.texts)])
            assert core.settings.web is not None
            running = server(build_desk(core, announcements=staff), core.settings.web, in_loop=True)
            serving = asyncio.ensure_future(running.serve())
            while not running.started:
                await asyncio.sleep(0.01)
            ready.update(
                url=url, core=core, loop=asyncio.get_running_loop(), backend=desk_backend(core, announcements=staff)
            )
            started.set()
            await asyncio.to_thread(stop.wait)
            running.should_exit = True
            await serving
            await adapter.stop()
            core.close()

    thread = threading.Thread(target=lambda: asyncio.run(main()), daemon=True)
    thread.start()
    assert started.wait(15), "the desk with its Discord adapter did not start"
    channels = {"2B": school.announcements.id, "3A": ch3a.id}
    found = Composer(ready["url"], ready["core"], school, channels, ready["loop"], ready["backend"])
    try:
        yield found
    finally:
        stop.set()
        thread.join(15)


def _signed_in(browser: Browser, composer: Composer, person_id: str) -> Page:
    link = composer.link(person_id)
    assert link is not None
    page = browser.new_context(viewport=PHONE, locale="nl-NL").new_page()
    page.goto(link)
    page.get_by_role("button", name="Inloggen op de desk").click()
    page.wait_for_load_state()
    return page


@pytest.fixture
def teacher(browser: Browser, composer: Composer) -> Iterator[Page]:
    page = _signed_in(browser, composer, "jan")
    yield page
    page.context.close()


def test_a_teacher_composes_to_two_rooms_previews_sends_and_retracts(teacher: Page, composer: Composer) -> None:
    page = teacher
    page.get_by_role("link", name="Mededelingen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mededelingen")
    page.get_by_role("group", name="2B").get_by_label("mededelingen-2b (discord)").check()
    page.get_by_role("group", name="3A").get_by_label("mededelingen-3a (discord)").check()
    page.get_by_label("Tekst", exact=True).fill("vervalt 3e uur wiskunde")
    page.get_by_label(WORDS.ask_read).check()
    assert page.evaluate(A11Y) == []
    screenshot(page, "mededelingen")

    page.get_by_role("button", name="Voorbeeld bekijken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Voorbeeld: zo zien de leerlingen het")
    previews = page.locator("blockquote.post")
    expect(previews).to_have_text(
        [
            "Mededeling van Meneer Jansen (2B): Het 3e uur wiskunde vervalt.",
            "Mededeling van Meneer Jansen (3A): Het 3e uur wiskunde vervalt.",
        ]
    )
    expect(page.locator("p.read-button")).to_have_text([WORDS.read_button] * 2)  # Discord asks with a button
    assert composer.posts("2B") == [] and composer.recorded() == 0  # a preview sends and stores nothing
    screenshot(page, "mededeling-voorbeeld")

    page.get_by_role("button", name="Versturen").click()
    expect(page.get_by_role("status")).to_contain_text("ruimtes")
    # What the students see is exactly the preview, with the "Gelezen ✓" button under it.
    assert composer.wait_posts("2B", bool) == [("Mededeling van Meneer Jansen (2B): Het 3e uur wiskunde vervalt.", 1)]
    assert composer.wait_posts("3A", bool) == [("Mededeling van Meneer Jansen (3A): Het 3e uur wiskunde vervalt.", 1)]
    page.goto(f"{composer.url}/mededelingen")
    mine = page.locator("ul.announcements > li").first
    expect(mine.locator("p.state")).to_have_text("verstuurd naar 2 van 2")
    sent = r"verstuurd \w\w \d+ \w+ om \d\d:\d\d"  # when it went out: "verstuurd ma 7 dec om 11:00"
    expect(mine.locator("ul.rooms li")).to_have_text(
        [
            re.compile(rf"^2B · mededelingen-2b \(discord\): {sent} · 0 gelezen$"),
            re.compile(rf"^3A · mededelingen-3a \(discord\): {sent} · 0 gelezen$"),
        ]
    )
    assert page.evaluate(A11Y) == []
    screenshot(page, "mededelingen-lijst")

    code = mine.get_by_role("heading").inner_text().split()[-1]
    mine.get_by_role("button", name=f"Intrekken Mededeling {code}").click()
    expect(page.get_by_role("status")).to_have_text(f"Mededeling {code} is overal ingetrokken.")
    assert composer.posts("2B") == [] and composer.posts("3A") == []
    expect(page.locator("ul.announcements > li").first.locator("p.state")).to_have_text("ingetrokken")


def _form(page: Page, **fields: str | list[str]) -> dict[str, Any]:
    csrf = page.locator("input[name=csrf]").first.get_attribute("value")
    return {"csrf": csrf or "", "wanneer": "nu", "tekst": "Morgen geen gym", **fields}


def _post(page: Page, url: str, fields: dict[str, Any]) -> tuple[int, str]:
    """A form post as the browser sends it (repeated `ruimte` fields for the ticked boxes)."""
    rooms = fields.pop("ruimte", [])
    pairs = [*fields.items(), *(("ruimte", r) for r in rooms)]
    body = "&".join(f"{k}={_quote(str(v))}" for k, v in pairs)
    answer = page.request.post(url, data=body, headers={"content-type": "application/x-www-form-urlencoded"})
    return answer.status, answer.text()


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def test_a_teacher_edits_a_sent_announcement_from_the_list_everywhere(teacher: Page, composer: Composer) -> None:
    page = teacher
    page.goto(f"{composer.url}/mededelingen")
    room = f"discord:{composer.channels['2B']}"
    status, _ = _post(page, f"{composer.url}/mededelingen/versturen", _form(page, ruimte=[room], nonce="bewerken"))
    assert status == 200
    composer.wait_posts("2B", lambda found: found == [("Mededeling van Meneer Jansen (2B): Morgen geen gym", 0)])
    page.goto(f"{composer.url}/mededelingen")
    mine = page.locator("ul.announcements > li").first
    code = mine.get_by_role("heading").inner_text().split()[-1]
    mine.get_by_label(f"Nieuwe tekst voor mededeling {code}").fill("Morgen toch gym, neem je spullen mee")
    mine.get_by_role("button", name="Wijzigen").click()
    expect(page.get_by_role("status")).to_contain_text(f"Mededeling {code}")
    edited = "Mededeling van Meneer Jansen (2B) (gewijzigd): Morgen toch gym, neem je spullen mee"
    assert composer.posts("2B") == [(edited, 0)]
    expect(page.locator("ul.announcements > li").first.locator("blockquote")).to_have_text(
        "Morgen toch gym, neem je spullen mee"
    )
    page.locator("ul.announcements > li").first.get_by_role("button", name=f"Intrekken Mededeling {code}").click()
    expect(page.get_by_role("status")).to_have_text(f"Mededeling {code} is overal ingetrokken.")
    assert composer.posts("2B") == []


def test_bad_input_gets_a_clear_error_and_changes_nothing(teacher: Page, composer: Composer) -> None:
    page = teacher
    page.goto(f"{composer.url}/mededelingen")
    room_2b, room_3a = f"discord:{composer.channels['2B']}", f"discord:{composer.channels['3A']}"
    before, sent = composer.recorded(), composer.posts("2B")
    send = f"{composer.url}/mededelingen/versturen"
    yesterday = (datetime.now(ZoneInfo("Europe/Amsterdam")) - timedelta(days=1)).strftime("%Y-%m-%dT12:00")
    cases = [
        ({"ruimte": []}, WORDS.no_rooms_chosen),
        ({"ruimte": [room_2b, "discord:999"]}, WORDS.not_your_rooms),
        ({"ruimte": [room_2b], "tekst": "   "}, WORDS.empty_text),
        ({"ruimte": [room_2b], "tekst": "x" * 1501}, "De tekst is te lang: hoogstens 1500 tekens (nu 1501)."),
        ({"ruimte": [room_2b], "wanneer": "datum", "moment": yesterday}, "is al voorbij"),
        ({"ruimte": [room_2b], "wanneer": "morgen", "tijd": "25:00"}, WORDS.bad_time),
    ]
    for fields, said in cases:
        status, body = _post(page, send, _form(page, **fields))
        assert status == 400 and said in body, (fields, status)
    status, body = _post(page, f"{composer.url}/mededelingen/voorbeeld", _form(page, ruimte=[room_3a, room_2b]))
    assert status == 200 and "Mededeling van Meneer Jansen (3A): Morgen geen gym" in body
    status, _ = _post(page, send, {**_form(page, ruimte=[room_2b]), "csrf": "geraden"})
    assert status == 403
    assert page.request.post(f"{composer.url}/mededelingen/1/intrekken", form={"csrf": ""}).status == 403
    status, body = _post(page, f"{composer.url}/mededelingen/77777/wijzigen", _form(page, tekst="nieuw"))
    assert status == 200 and "77777" in body  # the service's own answer: no such announcement
    for address in ("abc/wijzigen", "1234567890/wijzigen", "-1/intrekken", "1234567890/intrekken"):
        status, body = _post(page, f"{composer.url}/mededelingen/{address}", _form(page, tekst="nieuw"))
        assert status == 404 and WORDS.no_such_announcement in body, address
    assert composer.recorded() == before and composer.posts("2B") == sent


def test_a_student_gets_no_link_and_a_form_without_a_session_is_refused(browser: Browser, composer: Composer) -> None:
    assert composer.link("sanne") is None  # a student gets no link at all
    anonymous = browser.new_context(viewport=PHONE).new_page()
    try:
        assert anonymous.request.post(f"{composer.url}/mededelingen/versturen", form={"tekst": "vrij!"}).status == 403
    finally:
        anonymous.context.close()


def test_a_mentor_who_posts_nowhere_is_refused(browser: Browser, composer: Composer) -> None:
    eva = _signed_in(browser, composer, "eva")  # a mentor, but no poster of any announcement room
    try:
        expect(eva.get_by_role("link", name="Mededelingen")).to_have_count(0)
        answer = eva.goto(f"{composer.url}/mededelingen")
        assert answer is not None and answer.status == 403
        expect(eva.get_by_role("alert")).to_have_text(WORDS.only_posters)
    finally:
        eva.context.close()


def test_a_poster_who_reviews_nobody_signs_in_to_the_page(browser: Browser, composer: Composer) -> None:
    piet = _signed_in(browser, composer, "piet")  # reviews nobody, yet may post in 2B: signs in to this page
    try:
        expect(piet.get_by_role("heading", level=1)).to_have_text("Mededelingen")
        expect(piet.locator("fieldset.class legend")).to_have_text(["2B"])
        expect(piet.get_by_role("link", name="Mijn meldingen")).to_have_count(0)
    finally:
        piet.context.close()


def test_a_scheduled_announcement_waits_in_the_list_and_is_retracted_before_its_moment(
    teacher: Page, composer: Composer
) -> None:
    page = teacher
    page.goto(f"{composer.url}/mededelingen?tekst=lokaal+3e+uur+wiskunde+naar+B12")  # a quick choice
    expect(page.get_by_label("Tekst", exact=True)).to_have_value("lokaal 3e uur wiskunde naar B12")
    page.get_by_label("mededelingen-3a (discord)").check()
    page.get_by_label("Morgen om").check()
    page.get_by_label("Tijd (uu:mm)").fill("07:30")
    page.get_by_role("button", name="Voorbeeld bekijken").click()
    expect(page.locator("#when")).to_contain_text("Wordt verstuurd: ")
    expect(page.locator("#when")).to_contain_text("om 07:30")
    expect(page.locator("blockquote.post")).to_have_text(
        ["Mededeling van Meneer Jansen (3A): Het 3e uur wiskunde is verplaatst naar lokaal B12."]
    )
    hidden = page.locator("form[action='/mededelingen/versturen'] input").evaluate_all(
        "inputs => inputs.map(i => [i.name, i.value])"
    )
    page.get_by_role("button", name="Versturen").click()
    expect(page.get_by_role("status")).to_contain_text("om 07:30")
    mine = page.locator("ul.announcements > li").first
    expect(mine.locator("p.state")).to_contain_text("gepland voor")
    expect(mine.locator("ul.rooms li")).to_have_text(["3A · mededelingen-3a (discord): wacht op verzending"])
    assert composer.posts("3A") == []
    # The same form sent again (a reload, a double click) plans nothing twice.
    fields: dict[str, Any] = {k: v for k, v in hidden if k != "ruimte"} | {
        "ruimte": [v for k, v in hidden if k == "ruimte"]
    }
    before = composer.recorded()
    status, body = _post(page, f"{composer.url}/mededelingen/versturen", fields)
    assert status == 200 and "om 07:30" in body and composer.recorded() == before
    code = mine.get_by_role("heading").inner_text().split()[-1]
    mine.get_by_role("button", name=f"Intrekken Mededeling {code}").click()
    expect(page.get_by_role("status")).to_contain_text(f"Mededeling {code}")
    expect(page.locator("ul.announcements > li").first.locator("p.state")).to_have_text("ingetrokken")
    assert composer.posts("3A") == []
