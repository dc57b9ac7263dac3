"""Review-side test support: a school with a manager layer, a tag classifier, a settable clock, and a way to make
real incidents through the real Moderator on the console platform."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from adapters.console import mentions_in
from bot.app import Core, build_core, build_policies
from bot.database import upgrade
from bot.settings import settings_from_dict
from bot.texts.nl import DUTCH
from moderation.enforcers import DryRunEnforcer
from moderation.incidents.access import Actor
from moderation.incidents.outbox import SqlOutbox
from moderation.incidents.review import ReviewService
from moderation.incidents.store import SqlIncidentStore
from moderation.incidents.targeting import TargetingIncidentStore
from moderation.model import AccountId, Category, Classification, EventId, Evidence, Message, Platform, RoomId
from moderation.pipeline import Moderator, Outcome
from moderation.roster import parse_roster, store_roster
from moderation.rules import ALL_RULES
from moderation.storage.engine import make_engine
from tests.support.core import OPEN_CORES, SAMPLE_PEOPLE, roster_csv

# The sample school, plus a middle manager (mgr) with a teacher (tom) under her; dir leads, abc coordinates.
REVIEW_PEOPLE: list[dict[str, str]] = [
    *SAMPLE_PEOPLE,
    {"id": "mgr", "name": "Mevr. Manager", "role": "staff", "manager": "dir"},
    {"id": "tom", "name": "Meneer Tom", "role": "staff", "manager": "mgr"},
]
ROOMS: list[dict[str, Any]] = [
    {"platform": "console", "id": "klas-2b", "name": "klas-2b", "kind": "student-run"},
    {"platform": "console", "id": "klas-3a", "name": "klas-3a", "kind": "student-run"},
]
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday


@dataclass
class FrozenClock:
    at: datetime = START

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at = self.at + timedelta(**delta)


class TagClassifier:
    """Scores by tags in the text, so tests say exactly what the classifier 'found': `[insult]`, `[threat]`,
    `[threat!]` (a criminal threat), `[harassment]`, `[sexual]`."""

    async def classify(self, text: str) -> Classification:
        scores: list[tuple[Category, float]] = []
        evidence: list[Evidence] = []
        for category in (Category.INSULT, Category.HARASSMENT, Category.THREAT, Category.SEXUAL):
            if f"[{category.value}]" in text or f"[{category.value}!]" in text:
                criminal = f"[{category.value}!]" in text
                scores.append((category, 0.95))
                evidence.append(Evidence(category, 0.95, f"tag {category.value}", criminal=criminal))
        return Classification(scores=tuple(scores), evidence=tuple(evidence))


@dataclass
class School:
    core: Core
    clock: FrozenClock
    review: ReviewService
    counter: dict[str, int] = field(default_factory=dict)

    async def post(self, author: str, text: str, room: str = "klas-2b", reply_to: str | None = None) -> Outcome:
        n = self.counter[room] = self.counter.get(room, 0) + 1
        message = Message(
            platform=Platform.CONSOLE,
            room_id=RoomId(room),
            event_id=EventId(f"{room}-{n}"),
            author=AccountId(author),
            text=text,
            sent_at=self.clock.now(),
            reply_to=EventId(reply_to) if reply_to else None,
            mentions=mentions_in(text),
        )
        return await self.core.moderator.handle(message, DryRunEnforcer())

    async def incident(self, author: str, text: str, room: str = "klas-2b") -> int:
        outcome = await self.post(author, text, room)
        assert outcome.incident is not None, f"expected an incident for {text!r}"
        return outcome.incident.id


def actor(school: School, pid: str) -> Actor:
    """The reviewer's `Actor` as the review service knows them now."""
    found = school.review.actor_by_id(pid)
    assert found is not None
    return found


def make_school(
    tmp_path: Path, *, database_url: str | None = None, extra_settings: dict[str, Any] | None = None
) -> School:
    """Like `make_core`, but with a frozen clock in the Moderator and a review service on top."""
    clock = FrozenClock()
    url = database_url or f"sqlite:///{tmp_path / 'schoolwacht.sqlite3'}"
    settings = settings_from_dict(
        {"database": {"url": url}, "rooms": ROOMS, "classifier": {"ml_backend": "none"}, **(extra_settings or {})}
    )
    engine = make_engine(settings.database_url())
    upgrade(engine)
    engine.dispose()
    core = build_core(settings, classifier=TagClassifier(), clock=clock)
    OPEN_CORES.append(core)
    store_roster(core.sessions, parse_roster(roster_csv(REVIEW_PEOPLE)), clock.now())
    core.reload_directory()
    # A plain Moderator (no member or room rules) writing through the repeated-targeting store.
    core.store = TargetingIncidentStore(
        SqlIncidentStore(core.sessions),
        core.sessions,
        core.roster.current,
        window_days=settings.review.repeat_window_days,
        threshold=settings.review.repeat_threshold,
    )
    core.moderator = Moderator(
        texts=DUTCH,
        policies=build_policies(settings),
        rules=ALL_RULES,
        directory=core.roster,
        store=core.store,
        outbox=SqlOutbox(core.sessions, core.roster.current),
        clock=clock,
        classifier=core.classifier,
    )
    return School(core, clock, core.review)
