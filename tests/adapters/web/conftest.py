"""The desk served for real (uvicorn on loopback, SQLite, the roster of a small school) and one headless
chromium for all the desk's browser tests, driven by Playwright; each test gets a fresh context at phone width.

Package-scoped, not session-scoped: Playwright's sync API holds an event loop while it runs, and the suite's
asyncio tests after this package need the main thread free of it again."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from sqlalchemy import select

from adapters.web.backend import DeskBackend
from bot.app import Core, build_core
from bot.database import upgrade
from bot.settings import settings_from_dict
from bot.web import build_desk, desk_backend, login_link, server
from moderation.incidents.review import ReviewResult
from moderation.roster import parse_roster, store_roster
from moderation.storage.engine import make_engine, make_session_factory
from moderation.storage.incidents import HistoryRow, IncidentRow
from tests.support.core import SAMPLE_PEOPLE, roster_csv
from tests.support.desk import seed_incidents

CHROMIUM = "/usr/bin/chromium"  # Debian's package; Playwright never downloads a browser here
PHONE = {"width": 390, "height": 844}
ARTIFACTS = Path(os.environ.get("SCHOOLWACHT_ARTIFACTS", Path(__file__).parents[2] / "artifacts")) / "desk"


@dataclass
class Desk:
    url: str
    core: Core
    backend: DeskBackend
    changes: list[tuple[int, str]]  # what the desk reported changed (the cards in chat follow these)

    def link(self, person_id: str) -> str:
        link = login_link(self.core, self.backend, person_id)
        assert link is not None
        return link

    def history(self, incident_id: int) -> list[tuple[str, str, str]]:
        with self.core.sessions() as session:
            rows = session.scalars(select(HistoryRow).where(HistoryRow.incident_id == incident_id)).all()
            return [(h.actor, h.action, h.detail) for h in rows]

    def status(self, incident_id: int) -> str:
        with self.core.sessions() as session:
            row = session.get(IncidentRow, incident_id)
            assert row is not None
            return row.status


# The suite's small school, with Matrix accounts for a mentor and a student (to ask for a link in chat), and the
# school's privacy officer (functionaris gegevensbescherming), who reviews nobody.
MATRIX_IDS = {"jan": "@jansen:school.nl", "sanne": "@sanne:school.nl"}
PRIVACY_OFFICER = {"id": "fg", "name": "Mevr. Kok", "role": "staff", "manager": "dir", "privacy_officer": "ja"}
PEOPLE = [{**p, "matrix_id": MATRIX_IDS.get(p["id"], "")} for p in [*SAMPLE_PEOPLE, PRIVACY_OFFICER]]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="package")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    folder = tmp_path_factory.mktemp("desk")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    settings = settings_from_dict(
        {
            "database": {"url": f"sqlite:///{folder / 'desk.sqlite3'}"},
            "classifier": {"ml_backend": "none"},
            "web": {"port": port, "public_url": url, "login_attempts_per_minute": 30},
        }
    )
    engine = make_engine(settings.database_url())
    upgrade(engine)
    store_roster(make_session_factory(engine), parse_roster(roster_csv(PEOPLE)), datetime.now(UTC))
    engine.dispose()
    core = build_core(settings, with_classifier=False)
    seed_incidents(core.sessions)
    assert settings.web is not None
    changes: list[tuple[int, str]] = []

    async def changed(incident_id: int, result: ReviewResult) -> None:
        changes.append((incident_id, result.result.value))

    running = server(build_desk(core, changed=changed), settings.web, in_loop=False)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not running.started:
        assert time.monotonic() < deadline, "the desk did not start"
        time.sleep(0.02)
    try:
        yield Desk(url, core, desk_backend(core), changes)
    finally:
        running.should_exit = True
        thread.join(10)
        core.close()


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=PHONE, locale="nl-NL")
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def sign_in(page: Page, desk: Desk, person_id: str) -> None:
    page.goto(desk.link(person_id))
    page.get_by_role("button", name="Inloggen op de desk").click()
    page.wait_for_url(f"{desk.url}/meldingen")


@pytest.fixture(scope="package")
def signed_in_states(browser: Browser, desk: Desk) -> dict[str, Any]:
    """One browser sign-in per reviewer (its cookies), for tests about other things."""
    return {}


def signed_in_page(browser: Browser, desk: Desk, states: dict[str, Any], person_id: str) -> Page:
    """A page in a fresh phone-width context, signed in as `person_id` (signing in once per package)."""
    if person_id not in states:
        first = browser.new_context(viewport=PHONE, locale="nl-NL")
        sign_in(first.new_page(), desk, person_id)
        states[person_id] = first.storage_state()
        first.close()
    context = browser.new_context(viewport=PHONE, locale="nl-NL", storage_state=states[person_id])
    return context.new_page()


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
