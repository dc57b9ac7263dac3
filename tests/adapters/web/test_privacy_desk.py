"""The Privacy page in a real browser at phone width: only the privacy officer opens it; a person is found, their
data downloaded (what `schoolwacht privacy export` gives), and erased after the dry-run table and a confirmation.
Every search, download, dry run, erasure and refusal is in the privacy log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from bot.platforms import personal_data_hooks
from moderation.privacy import export_person, privacy_log
from moderation.storage.incidents import IncidentRow, ReviewerRow
from moderation.storage.people import PersonRow
from tests.adapters.web.conftest import Desk, screenshot, signed_in_page
from tests.adapters.web.test_desk_pages import A11Y


@pytest.fixture
def officer(browser: Browser, desk: Desk, signed_in_states: dict[str, Any]) -> Iterator[Page]:
    page = signed_in_page(browser, desk, signed_in_states, "fg")
    yield page
    page.context.close()


def _incident_by(desk: Desk, author: str) -> int:
    """An open incident authored by `author` (the parent of the sample school has none of their own)."""
    at = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    with desk.core.sessions.begin() as session:
        row = IncidentRow(
            platform="matrix",
            room_id="!ouders:school.nl",
            room_name="Ouders 2B",
            event_id="$ouder1",
            message_id="$ouder1",
            author_account="@ouder:school.nl",
            author_person_id=author,
            rule_id="R2",
            rule_name="abusive_content",
            category="insult",
            severity=2,
            score=0.9,
            scores={"insult": 0.9},
            explanation="matched",
            excerpt="bericht van een ouder",
            status="open",
            created_at=at,
            updated_at=at,
        )
        row.reviewers = [ReviewerRow(person_id="jan", reason="mentor")]
        session.add(row)
        session.flush()
        return row.id


def test_the_privacy_officer_finds_downloads_and_erases_a_person(officer: Page, desk: Desk, tmp_path: Path) -> None:
    page = officer
    n = _incident_by(desk, "p-sanne")
    page.goto(f"{desk.url}/meldingen")
    page.get_by_role("link", name="Privacy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy")
    page.get_by_label("Zoek persoon (naam, code of platform:account)").fill("bakker")
    page.get_by_role("button", name="Zoeken").click()
    found = page.locator("ul.items li")
    expect(found).to_have_count(2)  # Sanne Bakker and her parent
    expect(found.last).to_have_text("Sanne Bakker · sanne · leerling · 2B")
    assert page.evaluate(A11Y) == []
    screenshot(page, "privacy")

    page.get_by_role("link", name="Ouder Bakker").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy: Ouder Bakker")
    table = page.get_by_role("table", name="Wat gewist zou worden (proefrit: er is nog niets veranderd)")
    expect(table.get_by_role("row", name="eigen meldingen (verwijderd)")).to_contain_text(f"#{n}")
    expect(page.get_by_role("alert")).to_contain_text(f"#{n} is nog open")
    assert page.evaluate(A11Y) == []
    screenshot(page, "privacy-wissen")

    with page.expect_download() as download:
        page.get_by_role("button", name="Gegevens downloaden (JSON)").click()
    saved = tmp_path / "export.json"
    download.value.save_as(saved)
    downloaded = json.loads(saved.read_text(encoding="utf-8"))
    cli = export_person(desk.core.sessions, "p-sanne", datetime.now(UTC), actor="cli:test", hooks=personal_data_hooks())
    assert {k: v for k, v in downloaded.items() if k != "exported_at"} == {
        k: v for k, v in cli.items() if k != "exported_at"
    }
    assert [i["id"] for i in downloaded["incidents_about_you"]] == [n]

    confirm = page.get_by_label("Typ ter bevestiging de code p-sanne: dit kan niet ongedaan worden gemaakt")
    confirm.fill("p-sane")  # a typo erases nothing
    page.get_by_role("button", name="Definitief wissen").click()
    expect(page.get_by_role("alert")).to_contain_text("De bevestiging klopt niet")
    with desk.core.sessions() as session:
        assert session.get(PersonRow, "p-sanne") is not None

    page.goto(f"{desk.url}/privacy/p-sanne")
    page.get_by_label("Typ ter bevestiging de code p-sanne: dit kan niet ongedaan worden gemaakt").fill("p-sanne")
    page.get_by_role("button", name="Definitief wissen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gewist")
    assert page.evaluate(A11Y) == []
    with desk.core.sessions() as session:
        assert session.get(PersonRow, "p-sanne") is None
        assert session.scalars(select(IncidentRow.id).where(IncidentRow.id == n)).first() is None
    assert desk.core.roster.current().person("p-sanne") is None  # type: ignore[arg-type]

    # Bad input: an unknown or overlong person, a form without its token, a search for an account.
    http = page.request
    assert http.get(f"{desk.url}/privacy/niemand").status == 404
    assert http.get(f"{desk.url}/privacy/{'x' * 400}").status == 404
    assert http.get(f"{desk.url}/privacy?zoek={'a' * 200}").status == 400
    assert http.post(f"{desk.url}/privacy/sanne/export", form={"csrf": "geraden"}).status == 403
    assert http.post(f"{desk.url}/privacy/sanne/wissen", form={"bevestiging": "sanne"}).status == 403
    page.goto(f"{desk.url}/privacy?zoek=matrix:@sanne:school.nl")
    page.get_by_role("link", name="Gegevens van account matrix:@sanne:school.nl").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy: Sanne Bakker")  # her account is hers

    mine = [(e["action"], e["subject"]) for e in privacy_log(desk.core.sessions) if e["by"] == "desk as fg"]
    assert mine == [
        ("search", None),
        ("erase-preview", "[erased]"),
        ("export", "[erased]"),
        ("erase-preview", "[erased]"),
        ("erase", None),
        ("search", None),
        ("erase-preview", "sanne"),
    ]


def test_only_the_privacy_officer_opens_the_privacy_page(
    browser: Browser, desk: Desk, signed_in_states: dict[str, Any]
) -> None:
    page = signed_in_page(browser, desk, signed_in_states, "dir")  # even school leadership may not
    try:
        expect(page.get_by_role("link", name="Privacy")).to_have_count(0)
        answer = page.goto(f"{desk.url}/privacy/sanne")
        assert answer is not None and answer.status == 403
        expect(page.get_by_role("alert")).to_have_text(
            "De privacypagina is alleen voor de privacyfunctionaris van de school."
        )
        posted = page.request.post(f"{desk.url}/privacy/sanne/wissen", form={"csrf": "x", "bevestiging": "sanne"})
        assert posted.status == 403
        with desk.core.sessions() as session:
            assert session.get(PersonRow, "sanne") is not None
        refused = [e for e in privacy_log(desk.core.sessions) if e["by"] == "desk as dir"]
        assert [e["action"] for e in refused] == ["refused", "refused"]
    finally:
        page.context.close()
