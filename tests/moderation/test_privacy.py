"""AVG export and erasure: everything about the person and nothing about anyone else; erasure leaves no trace of
the person and keeps other people's incidents."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from bot.platforms import personal_data_hooks
from moderation.enforcers import DryRunEnforcer
from moderation.incidents.report_key import installation_secret, report_key
from moderation.incidents.withdrawals import PENDING_KEY, RENEW_KEY, parse
from moderation.model import AccountId, EventId, Message, Platform, RoomId
from moderation.privacy import ERASED, UnknownPerson, erase_person, export_person, privacy_log
from moderation.storage.incidents import HistoryRow, IncidentRow
from moderation.storage.people import AccountRow
from tests.support.core import make_core
from tests.support.review import REVIEW_PEOPLE, School, make_school

ADMIN = "cli:admin"


@dataclass
class Story:
    school: School
    sanne_own: list[int]  # sanne's three insults aimed at daan (a repeated-targeting case) and one more
    case: int
    daan_at_sanne: int  # daan's message aimed at sanne, naming her
    noor: int  # an unrelated incident
    report: int  # sanne reported noor's message


async def story(tmp_path: Path, database_url: str) -> Story:
    school = make_school(tmp_path, database_url=database_url)
    own = [await school.incident("sanne", f"[insult] @daan sukkel nummer {n}") for n in range(3)]
    own.append(await school.incident("sanne", "[sexual] mijn eigen bericht"))
    daan = await school.incident("daan", "[insult] @sanne Sanne Bakker is stom")
    noor = await school.incident("noor", "[sexual] noor haar bericht", room="klas-3a")
    message = Message(
        Platform.CONSOLE, RoomId("klas-3a"), EventId("n2"), AccountId("noor"), "noor nog iets", school.clock.now()
    )
    reported = await school.core.moderator.report(message, AccountId("sanne"), "dit klopt niet", DryRunEnforcer())
    assert reported.incident is not None
    jan = school.review.actor_by_id("jan")
    assert jan is not None
    school.review.acknowledge(own[0], jan)
    school.review.acknowledge(daan, jan)
    with school.core.sessions() as session:
        case = session.scalars(select(IncidentRow.id).where(IncidentRow.rule_name == "repeated_targeting")).one()
    return Story(school, own, case, daan, noor, reported.incident.id)


@pytest.fixture
async def s(tmp_path: Path, database_url: str) -> AsyncIterator[Story]:
    """The story, on SQLite and on the real PostgreSQL server."""
    told = await story(tmp_path, database_url)
    yield told
    told.school.core.close()


def dump_database(school: School, *, with_privacy_log: bool = True) -> str:
    """Every value in every table, as one lower-cased text."""
    parts: list[str] = []
    with school.core.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                if not with_privacy_log and table == "bot_state" and str(row[0]).startswith("privacy.log."):
                    continue
                parts.extend(str(value) for value in row)
    return "\n".join(parts).lower()


async def test_export_holds_everything_about_the_person_and_nothing_about_others(s: Story) -> None:
    data = export_person(s.school.core.sessions, "sanne", s.school.clock.now(), actor=ADMIN)
    blob = json.dumps(data, ensure_ascii=False)
    assert data["person"]["name"] == "Sanne Bakker" and data["person"]["class"] == "2B"
    assert {"platform": "console", "account": "sanne"} in data["accounts"]
    own_ids = {i["id"] for i in data["incidents_about_you"]}
    assert own_ids == {*s.sanne_own, s.case}
    excerpts = {i["message_excerpt"] for i in data["incidents_about_you"]}
    assert "[sexual] mijn eigen bericht" in excerpts
    assert [i["id"] for i in data["incidents_aimed_at_you"]] == [s.daan_at_sanne]
    assert [i["id"] for i in data["reports_you_made"]] == [s.report]
    # Nothing about anyone else: not their messages, names, reviewers' identities or what the reporter wrote.
    for other in ("is stom", "noor haar bericht", "noor nog iets", "Daan Smit", "Meneer Jansen", "Noor El Amrani"):
        assert other not in blob
    assert '"jan"' not in blob.replace('"mentors": ["jan"]', "")  # her mentor is part of her record; nothing else
    assert "reported_by" not in blob and "dit klopt niet" not in blob


async def test_export_of_a_reviewer_lists_their_actions_without_the_incidents(s: Story) -> None:
    data = export_person(s.school.core.sessions, "jan", s.school.clock.now(), actor=ADMIN)
    assert data["incidents_about_you"] == []
    actions = {(a["incident"], a["what"]) for a in data["your_review_actions"]}
    assert {(s.sanne_own[0], "acknowledged"), (s.daan_at_sanne, "acknowledged")} <= actions
    assert {a["id"] for a in data["incidents_assigned_to_you"]} >= {s.sanne_own[0], s.daan_at_sanne}
    blob = json.dumps(data)
    assert "sukkel" not in blob and "Sanne" not in blob


async def test_erase_dry_run_shows_the_plan_and_changes_nothing(s: Story) -> None:
    before = dump_database(s.school)
    plan = erase_person(s.school.core.sessions, "sanne", s.school.clock.now(), dry_run=True, actor=ADMIN)
    assert sorted(plan.incidents_deleted) == sorted([*s.sanne_own, s.case])
    assert plan.targets_cleared == [s.daan_at_sanne] and plan.reports_cleared == [s.report]
    assert plan.person_record and plan.accounts == 1
    assert dump_database(s.school, with_privacy_log=False) == before
    assert s.school.core.state.get(PENDING_KEY) is None  # nothing queued for the chat either
    assert [(e["by"], e["action"], e["subject"]) for e in privacy_log(s.school.core.sessions)] == [
        (ADMIN, "erase-preview", "sanne")
    ]


async def test_erase_queues_the_chat_cards_of_the_deleted_incidents(s: Story) -> None:
    """The erase runs on the command line; the bot withdraws the cards from reviewers' chats from this queue."""
    s.school.core.state.set(PENDING_KEY, '{"999": 2}')  # an earlier erase the bot has not finished yet
    plan = erase_person(s.school.core.sessions, "sanne", s.school.clock.now(), dry_run=False, actor=ADMIN)
    queued = parse(s.school.core.state.get(PENDING_KEY))
    assert queued == {999: 2, **{n: 0 for n in plan.incidents_deleted}}
    # ... and those of other people's incidents that named her are renewed: their cards show the old text
    assert parse(s.school.core.state.get(RENEW_KEY)) == {s.daan_at_sanne: 0, s.report: 0}
    assert sorted(plan.incidents_deleted) == sorted([*s.sanne_own, s.case])


async def test_erase_leaves_no_trace_and_keeps_other_incidents(s: Story) -> None:
    erase_person(s.school.core.sessions, "sanne", s.school.clock.now(), dry_run=False, actor=ADMIN)
    everything = dump_database(s.school)
    # (the parent "p-sanne", "Ouder Bakker", is someone else and stays)
    assert not re.search(r"(?<![\w-])sanne(?![\w-])", everything) and "sanne bakker" not in everything
    with s.school.core.sessions() as session:
        remaining = {row.id: row for row in session.scalars(select(IncidentRow))}
    assert not set(s.sanne_own) & set(remaining) and s.case not in remaining
    daan = remaining[s.daan_at_sanne]
    assert daan.excerpt == f"[insult] {ERASED} {ERASED} is stom"
    assert (daan.author_person_id, daan.status, daan.target_person_id) == ("daan", "in-review", None)
    assert remaining[s.noor].excerpt == "[sexual] noor haar bericht"
    assert remaining[s.report].reported_by is None and remaining[s.report].author_person_id == "noor"
    with pytest.raises(UnknownPerson):
        erase_person(
            s.school.core.sessions, "sanne", s.school.clock.now(), dry_run=False, actor=ADMIN
        )  # twice: nothing left
    with pytest.raises(UnknownPerson):
        export_person(s.school.core.sessions, "sanne", s.school.clock.now(), actor=ADMIN)


async def test_erasing_a_reviewer_hands_their_open_incidents_to_leadership(s: Story) -> None:
    plan = erase_person(s.school.core.sessions, "jan", s.school.clock.now(), dry_run=False, actor=ADMIN)
    assert s.sanne_own[3] in plan.reassigned_to_leadership  # only jan reviewed this one
    everything = dump_database(s.school)
    assert "jansen" not in everything
    assert not re.search(r"(?<![\w-])jan(?![\w-])", everything)
    with s.school.core.sessions() as session:
        row = session.get(IncidentRow, s.sanne_own[3])
        assert row is not None and {r.person_id for r in row.reviewers} == {"dir"}
        assert row.excerpt == "[sexual] mijn eigen bericht"  # the student's incident itself is untouched


async def test_people_not_on_the_roster_by_account(s: Story) -> None:
    unknown = await s.school.incident("stranger", "[sexual] van buiten")
    data = export_person(s.school.core.sessions, "console:stranger", s.school.clock.now(), actor=ADMIN)
    assert [i["id"] for i in data["incidents_about_you"]] == [unknown] and data["person"] is None
    plan = erase_person(s.school.core.sessions, "console:stranger", s.school.clock.now(), dry_run=False, actor=ADMIN)
    assert plan.incidents_deleted == [unknown]
    with pytest.raises(UnknownPerson, match="nobody"):
        export_person(s.school.core.sessions, "nobody", s.school.clock.now(), actor=ADMIN)


async def test_what_an_adapter_keeps_about_the_person_goes_through_its_own_hook(s: Story) -> None:
    with s.school.core.sessions.begin() as session:
        session.add(AccountRow(platform="matrix", account_id="@sanne:school.nl", person_id="sanne"))
    state = s.school.core.state
    state.set("matrix.dm.@sanne:school.nl", "!room-with-sanne")  # Matrix's direct room with her
    state.set("matrix.dm.@sanne:school.nl.x", "someone else")  # another account that only starts the same
    state.set("matrix.dm.@daan:school.nl", "!room-with-daan")
    hooks = personal_data_hooks()
    now = s.school.clock.now()
    assert export_person(s.school.core.sessions, "sanne", now, actor=ADMIN)["platform_state"] == []  # no hooks
    exported = export_person(s.school.core.sessions, "sanne", now, actor=ADMIN, hooks=hooks)
    assert exported["platform_state"] == [{"key": "matrix.dm.@sanne:school.nl", "value": "!room-with-sanne"}]
    preview = erase_person(s.school.core.sessions, "sanne", now, dry_run=True, actor=ADMIN, hooks=hooks)
    assert preview.platform_state_removed == 1 and state.get("matrix.dm.@sanne:school.nl") == "!room-with-sanne"
    plan = erase_person(s.school.core.sessions, "sanne", now, dry_run=False, actor=ADMIN, hooks=hooks)
    assert plan.platform_state_removed == 1
    assert state.get("matrix.dm.@sanne:school.nl") is None
    assert state.get("matrix.dm.@sanne:school.nl.x") == "someone else"
    assert state.get("matrix.dm.@daan:school.nl") == "!room-with-daan"


async def test_exports_and_erasures_are_recorded_and_the_record_keeps_nothing_erased(s: Story) -> None:
    sessions, now = s.school.core.sessions, s.school.clock.now()
    export_person(sessions, "sanne", now, actor=ADMIN)
    assert [(e["by"], e["action"], e["subject"]) for e in privacy_log(sessions)] == [(ADMIN, "export", "sanne")]
    erase_person(sessions, "sanne", now, dry_run=False, actor="cli:other")
    log = privacy_log(sessions)
    assert [(e["by"], e["action"], e["subject"]) for e in log] == [
        (ADMIN, "export", ERASED),  # the export stays on record, without naming her
        ("cli:other", "erase", None),
    ]
    assert log[1]["counts"]["incidents_deleted"] == len(s.sanne_own) + 1
    assert "sanne" not in json.dumps(log).lower()


async def test_a_reporters_own_words_are_erased_with_the_reporter(s: Story) -> None:
    school = s.school
    message = Message(
        Platform.CONSOLE, RoomId("klas-2b"), EventId("d9"), AccountId("daan"), "[insult] jij sukkel", school.clock.now()
    )
    reported = await school.core.moderator.report(
        message, AccountId("noor"), "daan pest mij al weken", DryRunEnforcer()
    )
    assert reported.incident is not None
    n = reported.incident.id
    erase_person(school.core.sessions, "noor", school.clock.now(), dry_run=False, actor=ADMIN)
    with school.core.sessions() as session:
        row = session.get(IncidentRow, n)
        assert row is not None and row.author_person_id == "daan"  # daan's incident stays, for his mentor
        assert "pest mij" not in row.explanation and "tag insult" in row.explanation  # the bot's own finding stays
    assert "pest mij" not in dump_database(school)


async def test_an_erased_reporter_cannot_be_found_again_by_trying_roster_accounts(s: Story) -> None:
    def keys_for(account: str, event: str) -> set[str]:
        unkeyed = hashlib.sha256(f"{account}\n{event}".encode()).hexdigest()
        return {f"report:{unkeyed[:24]}", f"report:{unkeyed[:32]}"}

    with s.school.core.sessions() as session:
        before = session.get(IncidentRow, s.report)
        assert before is not None and before.message_id == "n2"
        stored = before.event_id
    tried = {key for person in REVIEW_PEOPLE for key in keys_for(person["id"], "n2")}
    assert stored not in tried  # a keyed hash: the roster alone does not give the reporter away
    erase_person(s.school.core.sessions, "sanne", s.school.clock.now(), dry_run=False, actor=ADMIN)
    with s.school.core.sessions() as session:
        after = session.get(IncidentRow, s.report)
        assert after is not None and after.event_id != stored and after.event_id.startswith("report:erased-")


async def test_the_installation_secret_keys_reports_across_processes(tmp_path: Path) -> None:
    core = make_core(tmp_path, rooms=[{"platform": "console", "id": "klas-2b", "name": "klas-2b", "kind": "class"}])
    secret = installation_secret(core.sessions)
    assert len(secret) == 32 and installation_secret(core.sessions) == secret  # made once, then kept
    message = Message(Platform.CONSOLE, RoomId("klas-2b"), EventId("m1"), AccountId("daan"), "hoi", datetime.now(UTC))
    reported = await core.moderator.report(message, AccountId("sanne"), "", DryRunEnforcer())
    assert reported.incident is not None
    assert reported.incident.draft.message.event_id == report_key(secret, AccountId("sanne"), EventId("m1"))


async def test_review_actions_on_the_command_line_are_the_reviewers_to_export_and_erase(s: Story) -> None:
    jan = s.school.review.actor_by_id("jan")
    assert jan is not None
    s.school.review.escalate(s.noor, jan.on_cli("admin"), "leadership")  # refused: noor is not his
    s.school.review.acknowledge(s.sanne_own[1], jan.on_cli("admin"))
    data = export_person(s.school.core.sessions, "jan", s.school.clock.now(), actor=ADMIN)
    assert (s.sanne_own[1], "acknowledged") in {(a["incident"], a["what"]) for a in data["your_review_actions"]}
    erase_person(s.school.core.sessions, "jan", s.school.clock.now(), dry_run=False, actor=ADMIN)
    with s.school.core.sessions() as session:
        actors = set(session.scalars(select(HistoryRow.actor)))
    assert "cli:admin as [erased]" in actors and not any(a.endswith(" as jan") for a in actors)


def test_after_an_erase_the_sqlite_files_hold_neither_name_nor_text(tmp_path: Path) -> None:
    import asyncio

    told = asyncio.run(story(tmp_path, f"sqlite:///{tmp_path / 'raw.sqlite3'}"))
    try:
        files = [tmp_path / "raw.sqlite3", tmp_path / "raw.sqlite3-wal"]
        secrets = [b"Sanne Bakker", b"sukkel nummer", b"mijn eigen bericht", b"dit klopt niet"]
        assert all(any(word in path.read_bytes() for path in files) for word in secrets)  # there before
        erase_person(told.school.core.sessions, "sanne", told.school.clock.now(), dry_run=False, actor=ADMIN)
        raw = b"".join(path.read_bytes() for path in tmp_path.glob("raw.sqlite3*"))
        assert [word for word in secrets if word in raw] == []
        assert b"noor haar bericht" in raw  # someone else's incident is still there
    finally:
        told.school.core.close()
