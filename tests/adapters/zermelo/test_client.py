"""The Zermelo client against the fake portal over HTTP: the token as the portal takes it, the query it sends,
refusals and outages as TimetableUnavailable."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest

from adapters.zermelo.client import ZermeloClient, ZermeloConfig, portal_url
from moderation.announcements.ports import TimetableUnavailable
from tests.support.fake_zermelo import FakeZermelo
from tests.support.fake_zermelo.week import TOKEN, SchoolWeek

WEEK = (datetime(2026, 12, 6, tzinfo=UTC), datetime(2026, 12, 14, tzinfo=UTC))


@pytest.fixture
async def fake() -> AsyncIterator[tuple[SchoolWeek, FakeZermelo]]:
    week = SchoolWeek().plan_week()
    async with FakeZermelo(week.portal).running() as server:
        yield week, server


def test_the_portal_url() -> None:
    assert portal_url("Minkema") == "https://minkema.zportal.nl"
    assert portal_url("http://127.0.0.1:8080/") == "http://127.0.0.1:8080"


async def test_valid_versions_of_the_window_with_the_token_in_a_header(fake: tuple[SchoolWeek, FakeZermelo]) -> None:
    week, server = fake
    week.first_changes()
    lessons = await ZermeloClient(ZermeloConfig(server.url), TOKEN).lessons(*WEEK)
    assert len(lessons) == len(week.lessons)  # one valid version each; the replaced ones are left out
    query = week.portal.requests[-1]
    assert query["user"] == "~me" and query["valid"] == "true" and "access_token" not in query
    assert "appointmentInstance" in query["fields"].split(",")
    earlier = await ZermeloClient(ZermeloConfig(server.url), TOKEN).lessons(WEEK[0], datetime(2026, 12, 8, tzinfo=UTC))
    assert 0 < len(earlier) < len(lessons)


async def test_the_portal_also_takes_the_token_as_a_query_parameter(fake: tuple[SchoolWeek, FakeZermelo]) -> None:
    _, server = fake
    async with aiohttp.ClientSession() as session:
        url = f"{server.url}/api/v3/appointments?user=~me&start=0&end=2000000000&access_token={TOKEN}"
        async with session.get(url) as answer:
            body = await answer.json()
    assert answer.status == 200 and body["response"]["totalRows"] == len(body["response"]["data"]) > 0


async def test_a_refused_token_and_a_branch_without_rights(fake: tuple[SchoolWeek, FakeZermelo]) -> None:
    _, server = fake
    with pytest.raises(TimetableUnavailable, match=r"refused the API token \(401: Unauthorized\)") as refused:
        await ZermeloClient(ZermeloConfig(server.url), "old-token").lessons(*WEEK)
    assert refused.value.refused
    with pytest.raises(TimetableUnavailable, match=r"\(403: Forbidden\)"):
        await ZermeloClient(ZermeloConfig(server.url, branch_of_school=7), TOKEN).lessons(*WEEK)
    whole = await ZermeloClient(ZermeloConfig(server.url, branch_of_school=1), TOKEN).lessons(*WEEK)
    assert whole


async def test_outages_and_answers_that_are_not_zermelos(fake: tuple[SchoolWeek, FakeZermelo]) -> None:
    week, server = fake
    week.portal.failure = 502
    with pytest.raises(TimetableUnavailable, match="answered 502") as failed:
        await ZermeloClient(ZermeloConfig(server.url), TOKEN).lessons(*WEEK)
    assert not failed.value.refused
    url = server.url
    await server.stop()
    with pytest.raises(TimetableUnavailable, match="cannot be reached"):
        await ZermeloClient(ZermeloConfig(url, timeout_s=2), TOKEN).lessons(*WEEK)


async def test_current_announcements(fake: tuple[SchoolWeek, FakeZermelo]) -> None:
    week, server = fake
    now = week.portal.clock
    week.portal.add_announcement(now - 10, now + 3600, "Studiedag", "Vrijdag zijn alle lessen vervallen")
    week.portal.add_announcement(now - 7200, now - 3600, "Oud", "voorbij")
    items = await ZermeloClient(ZermeloConfig(server.url), TOKEN).news()
    assert [i.title for i in items] == ["Studiedag"]
