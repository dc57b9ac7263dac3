"""The Moderator on a real SQLite incident log: early exits, rules, the strongest verdict, idempotency, actions."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import Core, build_policies
from bot.texts.nl import DUTCH
from moderation.incidents.outbox import SqlOutbox
from moderation.model import (
    AccountId,
    Action,
    ActionKind,
    Category,
    EventId,
    Message,
    Platform,
    RoomId,
    Severity,
    Verdict,
)
from moderation.pipeline import Moderator
from moderation.ports import IncidentDraft, IncidentRef, IncidentStore, StoreUnavailable
from moderation.rules import ALL_RULES
from moderation.storage.incidents import HistoryRow
from tests.support.core import make_core
from tests.support.fakes import KeywordClassifier, RecordingEnforcer
from tests.support.incidents import incident_rows

ROOMS = [
    {"platform": "console", "id": "mededelingen-2b", "name": "mededelingen-2b", "kind": "announcement"},
    {"platform": "console", "id": "klas-2b", "name": "klas-2b", "kind": "class", "abuse_action": "delete"},
    {"platform": "console", "id": "chat", "name": "chat", "kind": "student-run", "abuse_action": "flag"},
    {"platform": "console", "id": "proef", "name": "proef", "kind": "class", "abuse_action": "delete", "dry_run": True},
]


@pytest.fixture
def core(tmp_path: Path) -> Iterator[Core]:
    core = make_core(
        tmp_path,
        rooms=ROOMS,
        classifier=KeywordClassifier(),
        bot_accounts=frozenset({(Platform.CONSOLE, AccountId("schoolwacht"))}),
        delivery_workers=0,  # every action before handle() returns: these tests look at them right after
    )
    yield core
    core.close()


def msg(author: str, room: str, text: str, event: str = "e1", **extra: object) -> Message:
    return Message(
        Platform.CONSOLE,
        RoomId(room),
        EventId(event),
        AccountId(author),
        text,
        datetime(2026, 11, 24, 9, 0, tzinfo=UTC),
        **extra,
    )  # type: ignore[arg-type]


async def test_staff_may_post_in_an_announcement_room(core: Core) -> None:
    enforcer = RecordingEnforcer()
    outcome = await core.moderator.handle(msg("jan", "mededelingen-2b", "Het 3e uur vervalt"), enforcer)
    assert outcome.verdict is None and enforcer.calls == [] and incident_rows(core.sessions) == []


async def test_student_in_announcement_room_is_removed_notified_and_recorded(core: Core) -> None:
    enforcer = RecordingEnforcer()
    outcome = await core.moderator.handle(msg("sanne", "mededelingen-2b", "is er huiswerk?"), enforcer)
    assert outcome.verdict is not None and outcome.verdict.rule_id == "R10"
    assert enforcer.names() == ["delete", "notify", "announce"]
    [row] = incident_rows(core.sessions)
    assert (row.rule_id, row.category, row.author_person_id, row.action_status) == (
        "R10",
        "announcement-only",
        "sanne",
        "done",
    )
    assert [r.person_id for r in row.reviewers] == ["jan"]


async def test_unknown_account_in_announcement_room_goes_to_leadership(core: Core) -> None:
    outcome = await core.moderator.handle(msg("stranger", "mededelingen-2b", "hoi"), RecordingEnforcer())
    assert outcome.incident is not None
    assert [r.reason for r in outcome.incident.draft.reviewers] == ["leadership"]


async def test_the_bots_own_messages_are_skipped(core: Core) -> None:
    outcome = await core.moderator.handle(msg("schoolwacht", "mededelingen-2b", "sukkel"), RecordingEnforcer())
    assert outcome.skipped == "the bot's own message" and incident_rows(core.sessions) == []


async def test_abuse_in_a_delete_room_and_in_a_flag_room(core: Core) -> None:
    enforcer = RecordingEnforcer()
    await core.moderator.handle(msg("sanne", "klas-2b", "jij sukkel", "a"), enforcer)
    await core.moderator.handle(msg("sanne", "chat", "jij sukkel", "b"), enforcer)
    assert enforcer.names() == ["delete", "notify", "announce", "notify", "announce"]
    first, second = incident_rows(core.sessions)
    assert first.action_taken.startswith("delete") and second.action_taken.startswith("flag")
    assert {r.person_id for r in first.reviewers} == {"jan", "abc"}  # mentor + anti-bullying coordinator


async def test_a_replayed_event_yields_no_second_incident_or_action(core: Core) -> None:
    enforcer = RecordingEnforcer()
    first = await core.moderator.handle(msg("sanne", "klas-2b", "jij sukkel"), enforcer)
    again = await core.moderator.handle(msg("sanne", "klas-2b", "jij sukkel"), enforcer)
    assert first.incident is not None and again.duplicate and again.incident is None
    assert enforcer.names().count("delete") == 1 and len(incident_rows(core.sessions)) == 1


async def test_an_abusive_edit_of_a_clean_message_is_caught(core: Core) -> None:
    enforcer = RecordingEnforcer()
    clean = await core.moderator.handle(msg("sanne", "klas-2b", "tot morgen", "m1"), enforcer)
    edit = msg("sanne", "klas-2b", "tot morgen, sukkel", "m1-edit", message_id=EventId("m1"), is_edit=True)
    edited = await core.moderator.handle(edit, enforcer)
    assert clean.verdict is None and edited.verdict is not None
    assert ("delete", "m1") in enforcer.calls  # the original message is the one removed


async def test_strongest_verdict_wins_and_carries_all_actions(core: Core) -> None:
    outcome = await core.moderator.handle(msg("sanne", "mededelingen-2b", "ik ga je afmaken"), RecordingEnforcer())
    assert outcome.verdict is not None
    assert outcome.verdict.category is Category.THREAT and outcome.verdict.severity is Severity.CRITICAL
    assert outcome.verdict.criminal and "R10" not in outcome.verdict.rule_id
    assert ActionKind.DELETE in outcome.verdict.actions and "announcement room" in outcome.verdict.explanation
    [row] = incident_rows(core.sessions)
    assert "leadership" in {r.reason for r in row.reviewers}


async def test_a_crashing_rule_is_recorded_and_the_others_still_run(core: Core) -> None:
    class Broken:
        name = "broken"

        def evaluate(self, message: Message, context: object) -> None:
            raise RuntimeError("boom")

    core.moderator._judge._rules = (Broken(), *core.moderator._judge._rules)
    outcome = await core.moderator.handle(msg("sanne", "klas-2b", "jij sukkel"), RecordingEnforcer())
    assert outcome.verdict is not None and outcome.verdict.category is Category.INSULT
    assert "rule broken crashed: RuntimeError: boom" in outcome.verdict.explanation
    clean = await core.moderator.handle(msg("sanne", "klas-2b", "hallo", "e2"), RecordingEnforcer())
    assert clean.verdict is not None and clean.verdict.category is Category.RULE_ERROR


async def test_a_failed_action_is_recorded_on_the_incident(core: Core) -> None:
    outcome = await core.moderator.handle(msg("sanne", "klas-2b", "jij sukkel"), RecordingEnforcer(fail={"delete"}))
    assert [a.ok for a in outcome.actions] == [False, True, True]
    [row] = incident_rows(core.sessions)
    assert row.action_status == "failed"
    with core.sessions() as session:
        details = [h.detail for h in session.query(HistoryRow).filter_by(incident_id=row.id)]
    assert any("FAILED: ConnectionError: delete refused" in d for d in details)


async def test_dry_run_room_records_but_does_not_act(core: Core) -> None:
    enforcer = RecordingEnforcer()
    await core.moderator.handle(msg("sanne", "proef", "jij sukkel"), enforcer)
    assert enforcer.names() == ["announce"]  # reviewers still see it; nothing happened to the student
    [row] = incident_rows(core.sessions)
    assert row.action_status == "dry-run"
    with core.sessions() as session:
        history = {h.action: h.detail for h in session.query(HistoryRow).filter_by(incident_id=row.id)}
    assert history["delete"] == "ok: dry run: not done" and history["notify-sender"] == "ok: dry run: not done"
    assert history["announce"] == "ok"  # the reviewers' card did go out


async def test_unconfigured_rooms_are_judged_as_student_run(core: Core) -> None:
    outcome = await core.moderator.handle(msg("sanne", "elders", "jij sukkel"), RecordingEnforcer())
    assert outcome.verdict is not None and outcome.incident is not None


async def test_a_one_megabyte_message_is_judged_and_its_excerpt_capped(core: Core) -> None:
    text = "sukkel " + "x" * 1_048_576 + "\x00\u200b"
    outcome = await core.moderator.handle(msg("sanne", "klas-2b", text), RecordingEnforcer())
    assert outcome.verdict is not None
    [row] = incident_rows(core.sessions)
    assert row.excerpt is not None and len(row.excerpt) <= 500 and "\x00" not in row.excerpt


async def test_empty_and_control_character_messages(core: Core) -> None:
    for n, text in enumerate(["", "   ", "\x00\x01\u200b\u200d", "\ud800"]):
        outcome = await core.moderator.handle(msg("sanne", "klas-2b", text, f"c{n}"), RecordingEnforcer())
        assert outcome.verdict is None


async def test_a_report_is_one_incident_per_reporter_and_hides_the_reporter(core: Core) -> None:
    target = msg("sanne", "chat", "kom je ook?")
    enforcer = RecordingEnforcer()
    first = await core.moderator.report(target, AccountId("daan"), "ze pest me", enforcer)
    again = await core.moderator.report(target, AccountId("daan"), "ze pest me", enforcer)
    other = await core.moderator.report(target, AccountId("noor"), "", enforcer)
    assert first.incident is not None and again.duplicate and other.incident is not None
    rows = incident_rows(core.sessions)
    assert [r.reported_by for r in rows] == ["daan", "noor"]
    assert all("daan" not in r.event_id and "daan" not in r.explanation for r in rows)
    assert "delete" not in enforcer.names()


async def test_room_events_go_to_leadership(core: Core) -> None:
    outcome = await core.moderator.record_room_event(
        platform=Platform.CONSOLE,
        room_id=RoomId("mededelingen-2b"),
        event_id=EventId("pl-1"),
        actor=AccountId("jan"),
        category=Category.PERMISSION_DRIFT,
        explanation="levels lowered",
        enforcer=RecordingEnforcer(),
    )
    assert outcome.incident is not None
    assert {r.reason for r in outcome.incident.draft.reviewers} == {"leadership"}


async def test_allowed_posters_are_the_staff_accounts(core: Core) -> None:
    posters = core.moderator.allowed_posters(Platform.CONSOLE, RoomId("mededelingen-2b"))
    assert posters == {"dir", "abc", "jan", "eva"}
    assert core.moderator.allowed_posters(Platform.CONSOLE, RoomId("klas-2b")) == posters


class FlakyStore:
    """The real store behind a connection that fails the first `down` writes, like a database restarting."""

    def __init__(self, inner: IncidentStore, down: int) -> None:
        self.inner, self.down, self.refused = inner, down, 0

    def _gate(self) -> None:
        if self.refused < self.down:
            self.refused += 1
            raise StoreUnavailable("connection refused")

    def record(self, draft: IncidentDraft, now: datetime) -> IncidentRef | None:
        self._gate()
        return self.inner.record(draft, now)

    def record_actions(self, incident_id: int, actions: Sequence[Action], status: str, now: datetime) -> None:
        self._gate()
        self.inner.record_actions(incident_id, actions, status, now)


async def test_a_database_outage_delays_the_message_and_loses_nothing(core: Core) -> None:
    flaky = FlakyStore(core.store, down=3)
    moderator = Moderator(
        texts=DUTCH,
        policies=build_policies(core.settings),
        rules=ALL_RULES,
        directory=core.directory,
        store=flaky,
        outbox=SqlOutbox(core.sessions, core.roster.current),
        clock=core.clock,
        classifier=KeywordClassifier(),
        store_retry_delay=0.001,
    )
    enforcer = RecordingEnforcer()
    outcome = await moderator.handle(msg("sanne", "klas-2b", "jij sukkel"), enforcer)
    assert flaky.refused == 3 and outcome.incident is not None
    assert enforcer.names() == ["delete", "notify", "announce"]  # acted once, after the write succeeded
    [row] = incident_rows(core.sessions)
    assert row.action_status == "done"


def test_an_unreachable_database_is_reported_as_store_unavailable(core: Core) -> None:
    from moderation.incidents.store import SqlIncidentStore
    from moderation.storage.engine import make_engine, make_session_factory

    engine = make_engine("postgresql://nobody@127.0.0.1:1/none")
    store = SqlIncidentStore(make_session_factory(engine))
    draft = IncidentDraft(
        msg("sanne", "klas-2b", "x"), Verdict("R2", "t", Category.INSULT, Severity.LOW, 1.0, "x"), None, (), "klas-2b"
    )
    with pytest.raises(StoreUnavailable, match=r"connection failed"):
        store.record(draft, datetime.now(UTC))
    with pytest.raises(StoreUnavailable):
        store.record_actions(1, [], "done", datetime.now(UTC))
    engine.dispose()
