"""The review desk in a real browser at phone width: sign-in, a mentor's queue, an action, refusals."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.adapters.web.conftest import Desk, screenshot, sign_in, signed_in_page


@pytest.fixture
def mentor(browser: Browser, desk: Desk, signed_in_states: dict[str, Any]) -> Iterator[Page]:
    """Meneer Jansen, signed in (once per session), in a fresh phone-width context."""
    page = signed_in_page(browser, desk, signed_in_states, "jan")
    yield page
    page.context.close()


def test_a_mentor_signs_in_sees_only_their_students_and_resolves_one(page: Page, desk: Desk) -> None:
    sign_in(page, desk, "jan")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn meldingen")
    items = page.locator("ul.items li")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("#2")  # most severe first (threat, 3)
    expect(page.locator("main")).not_to_contain_text("Noor")  # another mentor's student
    screenshot(page, "mijn-meldingen")

    page.get_by_role("link", name="#2 bedreiging").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Melding #2")
    expect(page.locator("#status")).to_have_text("open")
    page.get_by_label("Notitie: wat is er gedaan?").fill("gesprek gevoerd met Daan")
    page.get_by_role("button", name="Afhandelen").click()
    expect(page.locator("#status")).to_have_text("afgehandeld")
    expect(page.get_by_role("status")).to_have_text("Gelukt.")
    expect(page.locator("ol.history")).to_contain_text(
        "Meneer Jansen, op de desk: afgehandeld — gesprek gevoerd met Daan"
    )
    screenshot(page, "melding")
    assert ("desk as jan", "resolved", "gesprek gevoerd met Daan") in desk.history(2)
    assert ("desk as jan", "viewed", "") in desk.history(2)
    assert desk.status(2) == "resolved"
    assert (2, "done") in desk.changes  # the chat cards are brought up to date from here


def test_another_mentors_incident_by_url_is_refused_and_the_attempt_recorded(mentor: Page, desk: Desk) -> None:
    page = mentor
    response = page.goto(f"{desk.url}/meldingen/3")
    assert response is not None and response.status == 404
    expect(page.get_by_role("alert")).to_have_text("Deze melding bestaat niet of is niet voor jou.")
    expect(page.locator("main")).not_to_contain_text("Noor")
    refused = [line for line in desk.history(3) if line[1] == "refused"]
    assert refused and refused[-1][0] == "desk as jan"
    screenshot(page, "geweigerd")


def test_a_used_or_expired_link_is_refused(page: Page, desk: Desk) -> None:
    from sqlalchemy import update

    from moderation.storage.desk import DeskLinkRow

    link = desk.link("eva")
    page.goto(link)
    page.get_by_role("button", name="Inloggen op de desk").click()
    page.wait_for_url(f"{desk.url}/meldingen")
    page.context.clear_cookies()
    page.goto(link)
    screenshot(page, "inloggen")
    page.get_by_role("button", name="Inloggen op de desk").click()
    expect(page.get_by_role("alert")).to_contain_text("al gebruikt, verlopen of onbekend")

    expired = desk.link("eva")
    with desk.core.sessions.begin() as session:
        session.execute(
            update(DeskLinkRow).where(DeskLinkRow.used_at.is_(None)).values(expires_at=DeskLinkRow.created_at)
        )
    page.goto(expired)
    page.get_by_role("button", name="Inloggen op de desk").click()
    expect(page.get_by_role("alert")).to_contain_text("al gebruikt, verlopen of onbekend")
    assert page.context.cookies() == []


def test_a_form_without_its_csrf_token_is_refused(mentor: Page, desk: Desk) -> None:
    page = mentor
    page.goto(f"{desk.url}/meldingen/1")
    cookie = page.context.cookies()[0]
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Strict"
    page.locator("form[action$='/ack'] input[name=csrf]").evaluate("input => input.remove()")
    page.get_by_role("button", name="In behandeling nemen").click()
    expect(page.get_by_role("alert")).to_contain_text("Dit formulier is verlopen")
    forged = page.request.post(f"{desk.url}/meldingen/1/ack", form={"csrf": "guessed"})
    assert forged.status == 403
    assert desk.status(1) == "open"


def test_leadership_overview_counts_without_names(page: Page, desk: Desk) -> None:
    sign_in(page, desk, "dir")
    page.get_by_role("link", name="Overzicht").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Overzicht")
    expect(page.locator("#total")).to_have_text("4")
    klas = page.get_by_role("table", name="Per klas (aantallen)")
    expect(klas.get_by_role("row", name="2B")).to_contain_text("3")
    expect(klas.get_by_role("row", name="3A")).to_contain_text("1")
    maand = page.get_by_role("table", name="Per maand (aantallen)")
    expect(maand.get_by_role("row", name="2026-10")).to_contain_text("2")
    expect(maand.get_by_role("row", name="2026-11")).to_contain_text("2")
    expect(page.locator("figure svg")).to_have_count(4)
    body = page.locator("main").inner_text()
    assert not any(name in body for name in ("Sanne", "Daan", "Noor", "Jansen"))
    screenshot(page, "overzicht")
    csv = page.request.get(f"{desk.url}/overzicht.csv")
    assert csv.status == 200 and "klas,2B,3" in csv.text() and "Sanne" not in csv.text()


def test_a_mentor_may_not_see_the_overview_and_sees_their_own_student(mentor: Page, desk: Desk) -> None:
    page = mentor
    assert page.request.get(f"{desk.url}/overzicht").status == 403
    page.goto(f"{desk.url}/leerling/sanne")
    expect(page.get_by_role("heading", level=1)).to_have_text("Leerling Sanne Bakker")
    expect(page.locator("ul.items li")).to_have_count(2)
    screenshot(page, "leerling")
    assert page.goto(f"{desk.url}/leerling/noor").status == 404  # type: ignore[union-attr]


def test_signing_out_ends_the_session_everywhere(page: Page, desk: Desk) -> None:
    sign_in(page, desk, "eva")
    other = page.context.browser.new_context()  # type: ignore[union-attr]
    try:
        second = other.new_page()
        sign_in(second, desk, "eva")
        page.get_by_role("button", name="Uitloggen").click()
        expect(page.get_by_role("status")).to_contain_text("uitgelogd")
        second.goto(f"{desk.url}/meldingen")
        expect(second).to_have_url(f"{desk.url}/login")
    finally:
        other.close()
