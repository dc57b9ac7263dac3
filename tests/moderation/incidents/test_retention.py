"""AVG retention: exactly the message text of incidents closed long enough ago is erased; the outcome stays."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from moderation.enforcers import DryRunEnforcer
from moderation.incidents.retention import erase_expired
from moderation.model import AccountId, EventId, Message, Platform, RoomId
from moderation.storage.incidents import HistoryRow, IncidentRow
from tests.support.review import School, make_school


@pytest.fixture
def school(tmp_path: Path) -> Iterator[School]:
    school = make_school(tmp_path)
    yield school
    school.core.close()


def stored(school: School, incident: int) -> IncidentRow:
    with school.core.sessions() as session:
        row = session.get(IncidentRow, incident)
        assert row is not None
        return row


async def test_erases_exactly_the_expired_closed_ones(school: School) -> None:
    jan = school.review.actor_by_id("jan")
    assert jan is not None
    old_resolved = await school.incident("sanne", "[sexual] oud en opgelost")
    old_dismissed = await school.incident("daan", "[sexual] oud en afgewezen")
    old_open = await school.incident("sanne", "[sexual] oud maar nog open")
    school.review.resolve(old_resolved, jan, "gesprek gevoerd", measure="nablijven", parents_informed=True)
    school.review.dismiss(old_dismissed, jan)
    message = Message(Platform.CONSOLE, RoomId("klas-3a"), EventId("r1"), AccountId("noor"), "hm", school.clock.now())
    reported = await school.core.moderator.report(message, AccountId("sanne"), "zij pest", DryRunEnforcer())
    assert reported.incident is not None and stored(school, reported.incident.id).reported_by == "sanne"
    old_report = reported.incident.id
    school.review.dismiss(old_report, school.review.actor_by_id("dir") or jan)
    school.clock.advance(days=20)
    recent = await school.incident("sanne", "[sexual] recent gesloten")
    school.review.resolve(recent, jan, "gesprek")
    school.clock.advance(days=10, seconds=1)  # old ones closed 30 days ago, recent one 10 days ago

    preview = erase_expired(school.core.sessions, school.clock.now(), 30, dry_run=True)
    assert preview.erased == (old_resolved, old_dismissed, old_report)
    assert stored(school, old_resolved).excerpt is not None  # a dry run changes nothing

    run = erase_expired(school.core.sessions, school.clock.now(), 30)
    assert run.erased == (old_resolved, old_dismissed, old_report)
    report = stored(school, old_report)
    assert report.reported_by is None and "zij pest" not in report.explanation  # the reporter goes too
    for incident in (old_resolved, old_dismissed):
        row = stored(school, incident)
        assert row.excerpt is None and row.message_link is None and "oud" not in row.explanation
        assert row.erased_at is not None
    kept = stored(school, old_resolved)
    assert (kept.status, kept.resolution_note, kept.measure, kept.parents_informed) == (
        "resolved",
        "gesprek gevoerd",
        "nablijven",
        True,
    )
    assert (kept.category, kept.rule_id, kept.author_person_id) == ("sexual", "R7", "sanne")
    assert stored(school, old_open).excerpt == "[sexual] oud maar nog open"
    assert stored(school, recent).excerpt == "[sexual] recent gesloten"
    assert erase_expired(school.core.sessions, school.clock.now(), 30).erased == ()  # idempotent
    with school.core.sessions() as session:
        marks = session.query(HistoryRow).filter_by(action="retention").count()
    assert marks == 3


def test_refuses_a_nonsense_period(school: School) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        erase_expired(school.core.sessions, school.clock.now(), 0)
