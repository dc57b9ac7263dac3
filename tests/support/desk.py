"""For the desk's tests: incidents of a few of the sample school's students (two months, two mentors), and a
reviewer's browser reduced to HTTP."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import aiohttp
from sqlalchemy.orm import Session, sessionmaker

from moderation.storage.incidents import HistoryRow, IncidentRow, ReviewerRow

# (author, category, severity, status, created, mentor): ids 1..4 in this order.
INCIDENTS = [
    ("sanne", "insult", 2, "open", datetime(2026, 11, 20, 9, 0, tzinfo=UTC), "jan"),
    ("daan", "threat", 3, "open", datetime(2026, 11, 25, 10, 30, tzinfo=UTC), "jan"),
    ("noor", "harassment", 2, "open", datetime(2026, 10, 5, 12, 0, tzinfo=UTC), "eva"),
    ("sanne", "insult", 1, "resolved", datetime(2026, 10, 10, 8, 15, tzinfo=UTC), "jan"),
]


def seed_incidents(sessions: sessionmaker[Session]) -> None:
    """Four incidents of the sample school's students (ids 1..4), with their mentor as reviewer."""
    with sessions.begin() as session:
        for n, (author, category, severity, status, created, mentor) in enumerate(INCIDENTS, 1):
            row = IncidentRow(
                platform="matrix",
                room_id=f"!klas{n}:school.nl",
                room_name="Klassenchat 2B" if author != "noor" else "Klassenchat 3A",
                event_id=f"$event{n}",
                message_id=f"$event{n}",
                message_link=f"https://matrix.to/#/!klas{n}:school.nl/$event{n}",
                author_account=f"@{author}:school.nl",
                author_person_id=author,
                rule_id="R2",
                rule_name="abusive_content",
                category=category,
                severity=severity,
                score=0.91,
                scores={category: 0.91},
                explanation="matched pattern after normalising",
                excerpt=f"bericht {n} van {author}",
                status=status,
                created_at=created,
                updated_at=created,
            )
            row.reviewers = [ReviewerRow(person_id=mentor, reason="mentor")]
            row.history = [HistoryRow(at=created, actor="system", action="created", detail=f"routed to {mentor}")]
            session.add(row)


class DeskClient:
    """A reviewer's browser, reduced to HTTP: the session cookie is sent by hand (it is Secure, the test is not)."""

    def __init__(self, http: aiohttp.ClientSession, url: str) -> None:
        self.http, self.url, self.cookie = http, url, ""

    async def sign_in(self, token: str) -> None:
        async with self.http.post(f"{self.url}/login", data={"t": token}, allow_redirects=False) as answer:
            assert answer.status == 303, await answer.text()
            self.cookie = "; ".join(f"{k}={v.value}" for k, v in answer.cookies.items())

    async def page(self, path: str) -> str:
        async with self.http.get(f"{self.url}{path}", headers={"cookie": self.cookie}) as answer:
            assert answer.status == 200, path
            return await answer.text()

    async def act(self, incident_id: int, action: str, **fields: str) -> str:
        page = await self.page(f"/meldingen/{incident_id}")
        hidden = dict(re.findall(r'name="(csrf|seen)" value="([^"]*)"', page))
        path = f"{self.url}/meldingen/{incident_id}/{action}"
        async with self.http.post(
            path, data={**hidden, **fields}, headers={"cookie": self.cookie}, allow_redirects=False
        ) as answer:
            assert answer.status == 303, await answer.text()
            return answer.headers["location"]
