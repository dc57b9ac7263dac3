"""The review workflow: acknowledge, resolve, dismiss, escalate; idempotency; bad input; reviewers who left."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.texts.nl import DUTCH
from moderation.incidents.cards import render_html, render_text
from moderation.incidents.review import Result, ReviewResult, ReviewService, parse_escalation
from moderation.roster import parse_roster, store_roster
from moderation.storage.incidents import HistoryRow, IncidentRow
from tests.support.core import roster_csv
from tests.support.review import REVIEW_PEOPLE, FrozenClock, School, actor, make_school


def row(school: School, incident: int) -> IncidentRow:
    with school.core.sessions() as session:
        found = session.get(IncidentRow, incident)
        assert found is not None
        return found


def history(school: School, incident: int) -> list[tuple[str, str, str]]:
    with school.core.sessions() as session:
        rows = session.scalars(select(HistoryRow).where(HistoryRow.incident_id == incident).order_by(HistoryRow.id))
        return [(h.actor, h.action, h.detail) for h in rows]


async def test_full_cycle_ack_escalate_resolve(school: School) -> None:
    incident = await school.incident("sanne", "[sexual] stuur")
    jan = actor(school, "jan")
    assert school.review.acknowledge(incident, jan).result is Result.DONE
    assert row(school, incident).status == "in-review"
    escalated = school.review.escalate(incident, jan, "coordinator", "lijkt op pesten")
    assert escalated.result is Result.DONE and "Mevr. Yilmaz" in escalated.message
    assert school.review.show(incident, actor(school, "abc")).result is Result.DONE  # now assigned to abc
    school.clock.advance(hours=2)
    done = school.review.resolve(incident, jan, "gesprek gevoerd", measure="nablijven", parents_informed=True)
    assert done.result is Result.DONE, done.message
    stored = row(school, incident)
    assert (stored.status, stored.resolution_note, stored.measure, stored.parents_informed) == (
        "resolved",
        "gesprek gevoerd",
        "nablijven",
        True,
    )
    assert stored.closed_at is not None and stored.closed_at.replace(tzinfo=None) == school.clock.now().replace(
        tzinfo=None
    )
    actions = [(a, act) for a, act, _ in history(school, incident)]
    assert ("jan", "acknowledged") in actions
    assert ("jan", "escalated:coordinator") in actions
    assert ("jan", "resolved") in actions
    assert done.card is not None and (done.card.note, done.card.measure, done.card.parents_informed) == (
        "gesprek gevoerd",
        "nablijven",
        True,
    )
    assert "Afloop: afgehandeld; notitie: gesprek gevoerd; maatregel: nablijven; ouders ingelicht: ja" in " ".join(
        render_text(done.card, DUTCH).split()
    )


async def test_every_action_twice_answers_unchanged_and_changes_nothing(school: School) -> None:
    a, b = await school.incident("sanne", "[sexual] a"), await school.incident("sanne", "[sexual] b")
    jan = actor(school, "jan")
    assert school.review.acknowledge(a, jan).result is Result.DONE
    assert school.review.acknowledge(a, jan).result is Result.UNCHANGED
    assert school.review.escalate(a, jan, "leadership").result is Result.DONE
    again = school.review.escalate(a, jan, "coordinator")  # lower than what it already is
    assert again.result is Result.UNCHANGED and "already escalated to leadership" in again.message
    assert school.review.resolve(a, jan, "gesprek").result is Result.DONE
    second = school.review.resolve(a, jan, "ander verhaal")
    assert second.result is Result.UNCHANGED and row(school, a).resolution_note == "gesprek"
    assert school.review.dismiss(b, jan).result is Result.DONE
    assert school.review.dismiss(b, jan).result is Result.UNCHANGED
    assert school.review.resolve(b, jan, "toch").result is Result.INVALID
    assert school.review.dismiss(a, jan).result is Result.INVALID
    assert school.review.acknowledge(a, jan).result is Result.INVALID
    changes = [act for who, act, _ in history(school, a) if who == "jan" and act != "viewed"]
    assert changes == ["acknowledged", "escalated:leadership", "resolved"]


async def test_bad_input_gets_clear_answers(school: School) -> None:
    incident = await school.incident("sanne", "[sexual] x")
    jan, eva = actor(school, "jan"), actor(school, "eva")
    missing = school.review.show(99999, jan)
    assert missing.result is Result.NOT_FOUND and "#99999" in missing.message
    for absurd in (0, -1, 10**20):  # beyond the database's integer type: a clear answer, not a driver error
        assert school.review.acknowledge(absurd, jan).result is Result.NOT_FOUND
    assert school.review.resolve(incident, jan, "   ").result is Result.INVALID
    assert school.review.escalate(incident, jan, "the moon").result is Result.INVALID
    foreign = school.review.resolve(incident, eva, "niet mijn leerling")
    assert foreign.result is Result.FORBIDDEN and row(school, incident).status == "open"
    r13 = school.review.resolve(incident, jan, "gesprek", measure="schorsing")
    assert r13.result is Result.INVALID and "parents" in r13.message and row(school, incident).status == "open"
    long = school.review.resolve(incident, jan, "x\x00y" + "z" * 5000)
    assert long.result is Result.DONE
    note = row(school, incident).resolution_note or ""
    assert "\x00" not in note and len(note) == 2000


async def test_staff_measure_needs_no_parents(school: School) -> None:
    incident = await school.incident("tom", "[sexual] docent")
    done = school.review.resolve(incident, actor(school, "mgr"), "gesprek", measure="waarschuwing")
    assert done.result is Result.DONE


async def test_police_escalation_reaches_leadership_and_marks_criminal(school: School) -> None:
    incident = await school.incident("sanne", "[sexual] x")
    result = school.review.escalate(incident, actor(school, "jan"), "politie")
    assert result.result is Result.DONE
    stored = row(school, incident)
    assert stored.escalation == "police" and stored.criminal
    assert result.card is not None and result.card.escalation == "police"
    assert "mogelijk strafbaar: de schoolleiding beslist over de politie" in render_text(result.card, DUTCH)
    assert {c.id for c in school.review.list_for(actor(school, "dir"))} >= {incident}


def test_escalation_words() -> None:
    assert parse_escalation("ABC") == "coordinator"
    assert parse_escalation("schoolleiding") == "leadership"
    assert parse_escalation("police") == "police"
    assert parse_escalation("") is None


async def test_reviewer_who_left_the_school_is_replaced_by_leadership(school: School) -> None:
    open_one = await school.incident("sanne", "[sexual] open")
    closed = await school.incident("sanne", "[sexual] closed")
    assert school.review.resolve(closed, actor(school, "jan"), "klaar").result is Result.DONE
    without_jan = [{**p, "mentor": "eva"} if p.get("mentor") == "jan" else p for p in REVIEW_PEOPLE if p["id"] != "jan"]
    store_roster(school.core.sessions, parse_roster(roster_csv(without_jan)), school.clock.now())
    school.core.reload_directory()
    assert school.review.reassign_departed() == 1
    assert school.review.reassign_departed() == 0  # idempotent
    with school.core.sessions() as session:
        reviewers = {
            r.person_id: r.reason
            for r in session.get(IncidentRow, open_one).reviewers  # type: ignore[union-attr]
        }
        closed_reviewers = {r.person_id for r in session.get(IncidentRow, closed).reviewers}  # type: ignore[union-attr]
    assert reviewers == {"dir": "leadership"}
    assert closed_reviewers == {"jan"}  # the record of who reviewed a closed incident stays as it was
    assert any(act == "reassigned" and "jan" in d for _, act, d in history(school, open_one))


async def test_card_shows_what_a_reviewer_needs_in_plain_dutch_and_escapes_html(school: School) -> None:
    incident = await school.incident("sanne", "[insult] <script>alert(1)</script> jij sukkel")
    card = school.review.show(incident, actor(school, "jan")).card
    assert card is not None
    text = render_text(card, DUTCH)
    assert f"Melding #{incident}: een scheldwoord of belediging" in text  # what happened, in words
    assert "ernstig" in text or "matig" in text or "licht" in text  # how bad, as a word
    assert "severity" not in text and "R2" not in text and "0.95" not in text  # no jargon for a mentor
    assert "Wie:" in text and "Sanne Bakker (sanne)" in text
    assert "Waar:" in text and "klas-2b (Console)" in text
    assert "23-11-2026 10:00" in text  # 09:00 UTC, shown in school time (Europe/Amsterdam, winter)
    assert "Meneer Jansen (mentor)" in text and "Mevr. Yilmaz (anti-pestcoördinator)" in text
    assert "Wat de bot deed:" in text
    assert f"!opgelost {incident}" in text and f"!oppakken {incident}" in text  # what they can do
    technical = render_text(card, DUTCH, technical=True)  # the administrator's command line adds the rule's own
    for needle in ("R2", "insult 0.95", "tag insult"):
        assert needle in technical
    html = render_html(card, DUTCH)
    assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.mark.postgres
async def test_two_reviewers_at_once_cannot_both_close_it(tmp_path: Path, postgres_url: str) -> None:
    """The row is locked while a review action decides: the second reviewer sees the first one's result."""
    school = make_school(tmp_path, database_url=postgres_url)
    try:
        incident = await school.incident("sanne", "[insult] x")  # jan (mentor) and abc (coordinator)
        jan = actor(school, "jan")
        with school.core.sessions.begin() as first:  # the coordinator's resolve, caught mid-transaction
            held = first.get(IncidentRow, incident, with_for_update=True)
            assert held is not None
            held.status, held.resolution_note = "resolved", "door de coordinator"
            pending = threading.Thread(target=lambda: results.append(school.review.resolve(incident, jan, "ik")))
            results: list[ReviewResult] = []
            pending.start()
            pending.join(timeout=0.5)
            assert pending.is_alive()  # waiting for the lock, not overwriting
        pending.join(timeout=10)
        assert [r.result for r in results] == [Result.UNCHANGED]
        assert row(school, incident).resolution_note == "door de coordinator"
    finally:
        school.core.close()


class InterleavingClock:
    """The review's own clock, except that its `at_call`-th reading first lets another reviewer act, to the end:
    resolve and dismiss read the clock after reading the incident and before writing, so the other one's change
    lands exactly between this one's read and its write."""

    def __init__(self, inner: FrozenClock, at_call: int, meanwhile: Callable[[], ReviewResult]) -> None:
        self.inner, self.at_call, self.meanwhile = inner, at_call, meanwhile
        self.calls = 0
        self.theirs: list[ReviewResult] = []

    def now(self) -> datetime:
        self.calls += 1
        if self.calls == self.at_call:
            other = threading.Thread(target=lambda: self.theirs.append(self.meanwhile()))
            other.start()
            other.join(timeout=30)
        return self.inner.now()


@pytest.mark.parametrize("second", ["resolve", "dismiss"])
async def test_two_services_changing_one_incident_at_once_exactly_one_wins(school: School, second: str) -> None:
    """Two front ends (two ReviewService instances, as the bot and the CLI have): the coordinator resolves while the
    mentor's resolve or dismiss is between its read and its write. The database decides: one wins, the other is told."""
    incident = await school.incident("sanne", "[insult] x")  # jan (mentor) and abc (coordinator)
    jan, abc = actor(school, "jan"), actor(school, "abc")
    theirs = ReviewService(school.core.sessions, school.core.roster.current, school.clock)
    clock = InterleavingClock(school.clock, 2, lambda: theirs.resolve(incident, abc, "door de coordinator"))
    mine = ReviewService(school.core.sessions, school.core.roster.current, clock)
    if second == "resolve":
        answer = mine.resolve(incident, jan, "door de mentor")
    else:
        answer = mine.dismiss(incident, jan, "vals alarm")
    assert [r.result for r in clock.theirs] == [Result.DONE]
    expected = Result.UNCHANGED if second == "resolve" else Result.INVALID
    assert answer.result is expected and "someone else changed" in answer.message, answer.message
    stored = row(school, incident)
    assert (stored.status, stored.resolution_note) == ("resolved", "door de coordinator")  # not overwritten
    closing = [h for h in history(school, incident) if h[1] in ("resolved", "dismissed")]
    assert closing == [("abc", "resolved", "door de coordinator")]


_RESOLVER = """
import json, sys, time
from pathlib import Path
from moderation.directory import load_directory
from moderation.storage.engine import make_engine, make_session_factory
from moderation.incidents.review import ReviewService
from moderation.clock import SystemClock
url, who, go, count = sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
engine = make_engine(url)
sessions = make_session_factory(engine)
directory = load_directory(sessions)
service = ReviewService(sessions, lambda: directory, SystemClock())
actor = service.actor_by_id(who)
while not go.exists():
    time.sleep(0.005)
results = {n: service.resolve(n, actor, f"door {who}").result.value for n in range(1, count + 1)}
engine.dispose()
print(json.dumps(results))
"""


async def test_two_processes_resolving_the_same_incidents(school: School, tmp_path: Path) -> None:
    """The CLI and the bot are separate processes: two of them resolve the same 40 incidents at the same moment.
    Each incident is resolved exactly once, with one history line, and every other try is told it already was."""
    numbers = [await school.incident("sanne", f"[insult] {n}") for n in range(40)]
    assert numbers == list(range(1, 41))
    go = tmp_path / "go"
    url = school.core.settings.database_url()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", _RESOLVER, url, who, str(go), str(len(numbers))],
            stdout=subprocess.PIPE,
            env=env,
        )
        for who in ("jan", "abc")
    ]
    time.sleep(1.5)  # both connected and waiting
    go.touch()
    outputs = [json.loads(run.communicate(timeout=120)[0]) for run in runs]
    for n in numbers:
        answers = sorted(output[str(n)] for output in outputs)
        assert answers == ["done", "unchanged"], (n, answers)
        resolved = [h for h in history(school, n) if h[1] == "resolved"]
        assert len(resolved) == 1 and row(school, n).resolution_note == f"door {resolved[0][0]}"


async def test_an_incident_never_loses_its_last_reviewer_and_a_correct_reimport_gives_them_back(
    school: School,
) -> None:
    open_one = await school.incident("sanne", "[insult] open")
    # A wrong export (confirmed by the admin): only some staff, without the mentor and without leadership.
    staff_only = [{**p, "manager": ""} for p in REVIEW_PEOPLE if p["role"] == "staff" and p["id"] not in ("jan", "dir")]
    store_roster(school.core.sessions, parse_roster(roster_csv(staff_only)), school.clock.now())
    school.core.reload_directory()
    assert school.review.reassign_departed() == 0  # no active leadership to hand it to: jan stays its reviewer
    with school.core.sessions() as session:
        assert "jan" in {r.person_id for r in session.get(IncidentRow, open_one).reviewers}  # type: ignore[union-attr]
    store_roster(school.core.sessions, parse_roster(roster_csv(REVIEW_PEOPLE)), school.clock.now())
    school.core.reload_directory()
    assert {c.id for c in school.review.list_for(actor(school, "jan"))} >= {open_one}
