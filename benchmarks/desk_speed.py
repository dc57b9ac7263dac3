"""The review desk on 50,000 incidents in PostgreSQL: a mentor's queue and leadership's overview, as pages served by
the real app over HTTP, side by side with the same query called directly and with the command line's list.

    .venv/bin/python -m benchmarks.desk_speed [--incidents 50000] [--mentors 40] [--runs 30] [--no-jit]

A generated school (`mentors` mentors with 25 students each, leadership) in a fresh database on the PostgreSQL
server of $SCHOOLWACHT_TEST_POSTGRES (default: the test server on 127.0.0.1:5432), dropped afterwards. Printed:
median and p95 in ms of each, and what the desk adds to the query (page median minus query median). Every listing
writes its access lines to the history, on the desk as on the command line (`incidents list`).
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, insert, text
from starlette.applications import Starlette

from adapters.web.app import Desk
from adapters.web.backend import DeskBackend
from adapters.web.charts import draw
from adapters.web.security import COOKIE
from bot.app import build_core
from bot.database import upgrade
from bot.settings import settings_from_dict
from bot.web import build_desk, desk_backend, server
from moderation.incidents.desk_queries import QueueFilter
from moderation.model import Person, PersonId, Role
from moderation.roster import store_roster
from moderation.storage.engine import make_engine, make_session_factory
from moderation.storage.incidents import HistoryRow, IncidentRow, ReviewerRow

ADMIN_URL = os.environ.get("SCHOOLWACHT_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CATEGORIES = ("insult", "harassment", "threat", "discrimination", "personal-data", "media")
STATUSES = ("open", "in-review", "resolved", "resolved", "dismissed")  # most incidents are closed in the end


def school(mentors: int) -> list[Person]:
    people = [Person(PersonId("dir"), "Directeur", Role.STAFF, is_leadership=True)]
    for m in range(mentors):
        people.append(Person(PersonId(f"m{m}"), f"Mentor {m}", Role.STAFF, manager=PersonId("dir")))
        for s in range(25):
            pid = PersonId(f"s{m}-{s}")
            people.append(Person(pid, f"Leerling {m}-{s}", Role.STUDENT, f"K{m}", mentor=PersonId(f"m{m}")))
    return people


def fill(url: str, count: int, mentors: int, seed: int) -> None:
    rng = random.Random(seed)
    engine = make_engine(url)
    upgrade(engine)
    store_roster(make_session_factory(engine), school(mentors), datetime.now(UTC))
    start = datetime(2025, 9, 1, tzinfo=UTC)
    incidents, reviewers, history = [], [], []
    for n in range(1, count + 1):
        m, s = rng.randrange(mentors), rng.randrange(25)
        at = start + timedelta(minutes=rng.randrange(60 * 24 * 450))
        category = rng.choice(CATEGORIES)
        incidents.append(
            {
                "id": n,
                "platform": "matrix",
                "room_id": f"!k{m}:school.nl",
                "room_name": f"Klas K{m}",
                "event_id": f"$e{n}",
                "message_id": f"$e{n}",
                "message_link": None,
                "author_account": None,
                "author_person_id": f"s{m}-{s}",
                "rule_id": "R2",
                "rule_name": "abusive_content",
                "category": category,
                "severity": rng.randint(1, 4),
                "score": 0.9,
                "scores": {category: 0.9},
                "explanation": "generated",
                "excerpt": f"bericht {n}",
                "criminal": False,
                "action_taken": "",
                "action_status": "done",
                "status": rng.choice(STATUSES),
                "created_at": at,
                "updated_at": at,
            }
        )
        reviewers.append({"incident_id": n, "person_id": f"m{m}", "reason": "mentor"})
        history.append({"incident_id": n, "at": at, "actor": "system", "action": "created", "detail": ""})
    with engine.begin() as conn:
        for table, rows in ((IncidentRow, incidents), (ReviewerRow, reviewers), (HistoryRow, history)):
            for i in range(0, len(rows), 5000):
                conn.execute(insert(table), rows[i : i + 5000])
        conn.execute(text("SELECT setval(pg_get_serial_sequence('incidents', 'id'), :n)"), {"n": count})
        conn.execute(text("ANALYZE"))
    engine.dispose()


@contextmanager
def database(jit: bool = True) -> Iterator[str]:
    name = f"sw_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        if not jit:  # as docs/desk.md advises: JIT compiling costs more than it saves on these short queries
            conn.execute(text(f'ALTER DATABASE "{name}" SET jit = off'))
    try:
        yield ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def timed(runs: int, call: Callable[[], object]) -> tuple[float, float]:
    call()  # warm the caches and the connection pool
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        call()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=50_000)
    parser.add_argument("--mentors", type=int, default=40)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-jit", action="store_true", help="ALTER DATABASE … SET jit = off first")
    args = parser.parse_args()
    with database(jit=not args.no_jit) as url:
        t0 = time.perf_counter()
        fill(url, args.incidents, args.mentors, args.seed)
        print(f"{args.incidents} incidents, {args.mentors} mentors: filled in {time.perf_counter() - t0:.1f}s")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        settings = settings_from_dict(
            {
                "database": {"url": url},
                "classifier": {"ml_backend": "none"},
                "web": {"port": port, "public_url": f"http://127.0.0.1:{port}"},
            }
        )
        core = build_core(settings, with_classifier=False)
        backend = desk_backend(core)
        app = build_desk(core)
        assert settings.web is not None
        running = server(app, settings.web, in_loop=False)
        threading.Thread(target=running.run, daemon=True).start()
        while not running.started:
            time.sleep(0.01)
        try:
            report(args.runs, port, backend, app)
        finally:
            running.should_exit = True
            core.close()


def report(runs: int, port: int, backend: DeskBackend, app: Starlette) -> None:
    desk = app.state.desk
    assert isinstance(desk, Desk)

    def opener(person: str) -> Callable[[str], bytes]:
        token = backend.logins.issue_link(person)
        redeemed = backend.logins.redeem(token)
        assert redeemed is not None
        cookie = f"{COOKIE}={desk.signer.sign(redeemed[0])}"

        def get(path: str) -> bytes:
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"cookie": cookie})
            with urllib.request.urlopen(request) as response:
                body: bytes = response.read()
                return body

        return get

    mentor, leader = backend.reviewer("m0"), backend.reviewer("dir")
    assert mentor is not None and leader is not None
    as_mentor, as_leader = opener("m0"), opener("dir")
    rows = [
        ("mentor's queue: query", timed(runs, lambda: backend.queue(mentor, QueueFilter()))),
        ("mentor's queue: CLI list (open)", timed(runs, lambda: backend.review.list_for(mentor.actor, status="open"))),
        ("mentor's queue: desk page", timed(runs, lambda: as_mentor("/meldingen"))),
        ("overview: query", timed(runs, lambda: backend.overview())),
        ("overview: desk page", timed(runs, lambda: as_leader("/overzicht"))),
        ("overview: desk page, charts drawn anew", timed(runs, lambda: (draw.cache_clear(), as_leader("/overzicht")))),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{'':{width}}  median ms   p95 ms")
    for name, (median, p95) in rows:
        print(f"{name:{width}}  {median:9.1f}  {p95:7.1f}")
    queue_added = rows[2][1][0] - rows[0][1][0]
    overview_added = rows[4][1][0] - rows[3][1][0]
    print(f"the desk adds {queue_added:.1f} ms to the queue's query and {overview_added:.1f} ms to the overview's")
    print(
        f"overview page median {rows[4][1][0]:.1f} ms, {rows[5][1][0]:.1f} ms drawing the charts (goal: under 200 ms)"
    )


if __name__ == "__main__":
    main()
