"""Review-side costs on a school-sized SQLite database: recording with and without repeated-targeting detection,
a mentor's and leadership's incident list, the daily digest, retention and an AVG export.

    .venv/bin/python -m benchmarks.review_speed [--incidents 5000] [--mentors 40] [--seed 7]

A generated school: `mentors` mentors with 25 students each, a coordinator, leadership. Incidents are generated
drafts (insults aimed at a classmate by mention), recorded first through the bare store and then, in a second
database, through the repeated-targeting store — side by side, median per incident and the ratio.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update

from bot.database import upgrade
from moderation.digest import build_digests
from moderation.directory import RosterDirectory
from moderation.incidents.access import Actor
from moderation.incidents.retention import erase_expired
from moderation.incidents.review import ReviewService
from moderation.incidents.routing import route
from moderation.incidents.store import SqlIncidentStore
from moderation.incidents.targeting import TargetingIncidentStore
from moderation.model import (
    Account,
    AccountId,
    Category,
    EventId,
    IncidentStatus,
    Message,
    Person,
    PersonId,
    Platform,
    Role,
    RoomId,
    Severity,
    Verdict,
)
from moderation.ports import IncidentDraft
from moderation.privacy import export_person
from moderation.roster import store_roster
from moderation.storage.engine import make_engine, make_session_factory
from moderation.storage.incidents import IncidentRow

START = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.at = START

    def now(self) -> datetime:
        return self.at


def school(mentors: int) -> list[Person]:
    people = [
        Person(PersonId("dir"), "Directeur", Role.STAFF, is_leadership=True),
        Person(PersonId("abc"), "Coordinator", Role.STAFF, manager=PersonId("dir"), is_coordinator=True),
    ]
    for m in range(mentors):
        mentor = PersonId(f"m{m}")
        people.append(Person(mentor, f"Mentor {m}", Role.STAFF, manager=PersonId("dir")))
        for s in range(25):
            pid = PersonId(f"s{m}-{s}")
            account = Account(Platform.CONSOLE, AccountId(pid))
            people.append(Person(pid, f"Student {m}-{s}", Role.STUDENT, f"K{m}", mentor=mentor, accounts=(account,)))
    return people


def drafts(people: list[Person], count: int, seed: int) -> list[IncidentDraft]:
    rng = random.Random(seed)
    directory = RosterDirectory(people)
    students = [p for p in people if p.role is Role.STUDENT]
    verdict = Verdict("R2", "abusive_content", Category.INSULT, Severity.MEDIUM, 0.9, "insult score 0.90")
    out = []
    for n in range(count):
        author = rng.choice(students)
        target = rng.choice(students[:50])  # a few students are targeted often: cases form
        message = Message(
            Platform.CONSOLE,
            RoomId(f"klas-{author.class_name}"),
            EventId(f"e{n}"),
            AccountId(author.id),
            f"@{target.id} jij sukkel {n}",
            START,
        )
        out.append(IncidentDraft(message, verdict, author, route(author, verdict, directory), str(message.room_id)))
    return out


def timed(action: Callable[[], object], repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        samples.append(time.perf_counter() - began)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=5_000)
    parser.add_argument("--mentors", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    people = school(args.mentors)
    directory = RosterDirectory(people)
    batch = drafts(people, args.incidents, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        per_incident: dict[str, list[float]] = {}
        for name in ("bare store", "with repeated targeting"):
            engine = make_engine(f"sqlite:///{Path(tmp) / (name.replace(' ', '_') + '.sqlite3')}")
            upgrade(engine)
            sessions = make_session_factory(engine)
            clock = Clock()
            store_roster(sessions, people, clock.now())
            bare = SqlIncidentStore(sessions)
            store = (
                bare
                if name == "bare store"
                else TargetingIncidentStore(bare, sessions, lambda: directory, window_days=14, threshold=3)
            )
            samples = per_incident[name] = []
            for draft in batch:
                clock.at += timedelta(minutes=7)
                began = time.perf_counter()
                store.record(draft, clock.at)
                samples.append(time.perf_counter() - began)
            last = (engine, sessions, clock)
        bare_ms = statistics.median(per_incident["bare store"]) * 1000
        targeting_ms = statistics.median(per_incident["with repeated targeting"]) * 1000
        print(f"school: {len(people)} people, {args.incidents} incidents (SQLite, one process)")
        print(
            f"record, median per incident: bare store {bare_ms:.2f} ms | with repeated targeting "
            f"{targeting_ms:.2f} ms | ratio {targeting_ms / bare_ms:.2f}x"
        )

        engine, sessions, clock = last
        review = ReviewService(sessions, lambda: directory, clock)
        mentor = Actor.of(people[2])
        leader = Actor.of(people[0])
        mentor_s = timed(lambda: review.list_for(mentor, status=IncidentStatus.OPEN))
        leader_s = timed(lambda: review.list_for(leader, status=IncidentStatus.OPEN))
        print(
            f"list (200 max, each read logged): mentor {mentor_s * 1000:.1f} ms | leadership {leader_s * 1000:.1f} ms"
        )

        def digest() -> object:
            with sessions() as session:
                return build_digests(session, directory)

        print(f"build every reviewer's digest: {timed(digest, repeat=3) * 1000:.0f} ms")
        with sessions.begin() as session:  # a third of the incidents were closed long ago
            session.execute(
                update(IncidentRow).where(IncidentRow.id % 3 == 0).values(status="resolved", closed_at=START)
            )
        preview = timed(lambda: erase_expired(sessions, clock.at, 1, dry_run=True))
        began = time.perf_counter()
        erased = erase_expired(sessions, clock.at, 1)
        real = time.perf_counter() - began
        print(f"retention: dry run {preview * 1000:.0f} ms (median) | real run {real:.2f} s for {len(erased.erased)}")
        export = timed(lambda: export_person(sessions, "s0-0", clock.at, actor="benchmark"))
        print(f"AVG export of one student: {export * 1000:.0f} ms")
        engine.dispose()


if __name__ == "__main__":
    main()
