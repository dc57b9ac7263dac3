"""Every desk page at phone width: labelled controls, one heading, nothing wider than the screen; the answers to
bad input; /healthz, /metrics and the login rate limit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from adapters.web.security import RateLimit
from tests.adapters.web.conftest import PHONE, Desk, signed_in_page

# Controls without a label, pages without exactly one h1, and anything wider than the phone, as text.
A11Y = """() => {
  const problems = [];
  for (const el of document.querySelectorAll("input:not([type=hidden]), select, textarea, button")) {
    const named = (el.labels && el.labels.length) || el.getAttribute("aria-label") || el.textContent.trim();
    if (!named) problems.push("unlabelled " + el.outerHTML.slice(0, 80));
  }
  const h1 = document.querySelectorAll("h1").length;
  if (h1 !== 1) problems.push(h1 + " h1 headings");
  if (!document.documentElement.lang) problems.push("no lang");
  if (document.documentElement.scrollWidth > window.innerWidth) problems.push("wider than the screen");
  return problems;
}"""


@pytest.fixture
def leader(browser: Browser, desk: Desk, signed_in_states: dict[str, Any]) -> Iterator[Page]:
    page = signed_in_page(browser, desk, signed_in_states, "dir")
    yield page
    page.context.close()


def test_every_page_has_labelled_controls_one_heading_and_fits_a_phone(leader: Page, desk: Desk) -> None:
    assert leader.viewport_size == PHONE
    for path in ("/meldingen", "/meldingen/1", "/leerling/sanne", "/overzicht", "/meldingen/424242", "/nergens"):
        leader.goto(f"{desk.url}{path}")
        assert leader.evaluate(A11Y) == [], path
    leader.goto(f"{desk.url}/login")
    assert leader.evaluate(A11Y) == []


def test_bad_input_gets_a_clear_answer_and_the_desk_keeps_serving(leader: Page, desk: Desk) -> None:
    http = leader.request
    assert http.get(f"{desk.url}/meldingen/424242").status == 404
    assert http.get(f"{desk.url}/meldingen/99999999999999999999").status == 404
    assert http.get(f"{desk.url}/meldingen/abc").status == 404
    assert http.get(f"{desk.url}/leerling/{'x' * 300}").status == 404
    assert http.get(f"{desk.url}/meldingen?van=gisteren").status == 400
    assert http.get(f"{desk.url}/meldingen?status=kwijt").status == 400
    assert http.get(f"{desk.url}/meldingen?zoek={'a' * 500}").status == 400
    huge = http.get(f"{desk.url}/meldingen?zoek={'a' * 5000}")
    assert huge.status == 414 and "te lang" in huge.text()
    assert http.delete(f"{desk.url}/meldingen").status == 405
    assert http.get(f"{desk.url}/meldingen/1/resolve").status == 405
    assert http.post(f"{desk.url}/meldingen/1/wegpoetsen", form={"csrf": "x"}).status == 404
    assert http.get(f"{desk.url}/healthz").status == 200  # still serving


def test_filters_and_search_narrow_the_queue(leader: Page, desk: Desk) -> None:
    leader.goto(f"{desk.url}/meldingen?status=all")
    all_of_them = leader.locator("ul.items li").count()
    leader.get_by_label("Zoek leerling").fill("noor")
    leader.get_by_role("button", name="Filteren").click()
    assert leader.locator("ul.items li").count() == 1
    leader.goto(f"{desk.url}/meldingen?status=all&klas=2b&van=2026-11-01")
    assert 0 < leader.locator("ul.items li").count() < all_of_them
    leader.goto(f"{desk.url}/meldingen?categorie=threat&status=all")
    assert leader.locator("ul.items li").count() == 1


def test_health_and_metrics(page: Page, desk: Desk) -> None:
    health = page.request.get(f"{desk.url}/healthz")
    assert health.status == 200 and health.json()["database"] == "ok"
    metrics = page.request.get(f"{desk.url}/metrics").text()
    assert 'schoolwacht_incidents{status="open"}' in metrics
    assert "schoolwacht_desk_logins_total" in metrics


def test_login_attempts_are_limited_per_client(page: Page, desk: Desk) -> None:
    # From behind the (trusted, loopback) proxy: the limit counts the browser's address, not the proxy's.
    guesser = {"x-forwarded-for": "203.0.113.9"}
    answers = [page.request.post(f"{desk.url}/login", form={"t": "geraden"}, headers=guesser).status for _ in range(31)]
    assert answers[:30] == [403] * 30 and answers[30] == 429
    other = page.request.post(f"{desk.url}/login", form={"t": "geraden"}, headers={"x-forwarded-for": "203.0.113.10"})
    assert other.status == 403


def test_rate_limit_forgets_after_a_minute() -> None:
    now = [0.0]
    limit = RateLimit(2, now=lambda: now[0])
    assert limit.allow("a") and limit.allow("a") and not limit.allow("a")
    assert limit.allow("b")
    now[0] = 61.0
    assert limit.allow("a")
