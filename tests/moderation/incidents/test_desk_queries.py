"""The desk's reading side and its sign-in tokens on both databases: the queue only holds what access allows (and
records it as read), the overview counts, links are single use and short-lived, sessions end when idle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from moderation.incidents.access import Actor
from moderation.incidents.desk_login import DeskLogins
from moderation.incidents.desk_queries import QueueFilter, overview, queue, student_timeline
from moderation.model import PersonId
from moderation.privacy import erase_person
from moderation.storage.desk import DeskLinkRow
from moderation.storage.incidents import HistoryRow
from tests.support.core import make_core
from tests.support.desk import seed_incidents


class Clock:
    def __init__(self) -> None:
        self.at = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at


def test_queue_timeline_and_overview(tmp_path: Path, database_url: str) -> None:
    core = make_core(tmp_path, rooms=[], with_classifier=False, database_url=database_url)
    seed_incidents(core.sessions)
    jan = core.directory.person(PersonId("jan"))
    assert jan is not None
    mentor, now = Actor.of(jan), datetime(2026, 12, 1, tzinfo=UTC)

    mine = queue(core.sessions, core.directory, mentor, QueueFilter(), now, "op de desk")
    assert [i.id for i in mine] == [2, 1]  # open only, most severe first; Noor's (eva's student) never
    everything = queue(core.sessions, core.directory, mentor, QueueFilter(status="all"), now, "op de desk")
    assert [i.id for i in everything] == [2, 1, 4]
    found = queue(core.sessions, core.directory, mentor, QueueFilter(status="all", student="SANNE"), now, "x")
    assert [i.id for i in found] == [1, 4]
    assert queue(core.sessions, core.directory, mentor, QueueFilter(class_name="3a"), now, "x") == []
    november = QueueFilter(
        status="all", since=datetime(2026, 11, 1, tzinfo=UTC), until=datetime(2026, 11, 21, tzinfo=UTC)
    )
    assert [i.id for i in queue(core.sessions, core.directory, mentor, november, now, "x")] == [1]
    assert [i.id for i in student_timeline(core.sessions, core.directory, mentor, "sanne", now, "x")] == [1, 4]
    assert student_timeline(core.sessions, core.directory, mentor, "noor", now, "x") == []
    with core.sessions() as session:
        listed = session.scalars(select(HistoryRow.incident_id).where(HistoryRow.detail == "op de desk")).all()
    assert sorted(listed) == [1, 1, 2, 2, 4]

    counts = overview(core.sessions)
    assert counts.total == 4
    assert counts.by_class == {"2B": 3, "3A": 1}
    assert counts.by_month == {"2026-10": 2, "2026-11": 2}
    assert counts.by_status == {"open": 3, "resolved": 1}
    assert counts.by_category == {"insult": 2, "threat": 1, "harassment": 1}
    assert overview(core.sessions, since=datetime(2026, 11, 1, tzinfo=UTC)).total == 2


def test_links_are_single_use_and_short_lived_and_sessions_end_when_idle(tmp_path: Path, database_url: str) -> None:
    core = make_core(tmp_path, rooms=[], with_classifier=False, database_url=database_url)
    clock = Clock()
    logins = DeskLogins(core.sessions, clock, link_ttl=timedelta(minutes=10), idle=timedelta(minutes=30))
    token = logins.issue_link("jan")
    redeemed = logins.redeem(token)
    assert redeemed is not None and redeemed[1].person_id == "jan"
    assert logins.redeem(token) is None
    assert logins.redeem("x" * 500) is None and logins.redeem("") is None

    late = logins.issue_link("jan")
    clock.at += timedelta(minutes=11)
    assert logins.redeem(late) is None

    cookie = redeemed[0]
    assert logins.session(cookie) is not None  # used now: idle time starts again
    clock.at += timedelta(minutes=29)
    assert logins.session(cookie) is not None
    clock.at += timedelta(minutes=31)
    assert logins.session(cookie) is None
    assert logins.session(cookie) is None  # removed, not only refused

    first, second = logins.redeem(logins.issue_link("eva")), logins.redeem(logins.issue_link("eva"))
    assert first is not None and second is not None
    assert logins.end_everywhere("eva") == 2
    assert logins.session(first[0]) is None and logins.session(second[0]) is None


def test_erasing_a_reviewer_removes_their_desk_links_and_sessions(tmp_path: Path) -> None:
    core = make_core(tmp_path, rooms=[], with_classifier=False)
    logins = DeskLogins(core.sessions, Clock(), link_ttl=timedelta(minutes=10), idle=timedelta(minutes=30))
    redeemed = logins.redeem(logins.issue_link("eva"))
    logins.issue_link("eva")
    assert redeemed is not None
    preview = erase_person(core.sessions, "eva", datetime.now(UTC), dry_run=True, actor="cli:test")
    assert preview.platform_state_removed == 3 and logins.session(redeemed[0]) is not None
    erase_person(core.sessions, "eva", datetime.now(UTC), dry_run=False, actor="cli:test")
    assert logins.session(redeemed[0]) is None
    with core.sessions() as session:
        assert session.scalars(select(DeskLinkRow)).all() == []
