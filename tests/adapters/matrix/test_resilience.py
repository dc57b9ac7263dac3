"""Restarts, outages, rate limits and bad input, against real Synapse servers."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from moderation.model import Platform
from moderation.ports import StoreUnavailable
from tests.adapters.matrix.helpers import MARKER, SCHOOL_ACCOUNTS, School, eventually, incidents, is_redacted, room
from tests.adapters.matrix.test_rooms import running
from tests.support.synapse import SynapseServer, running_synapse

pytestmark = pytest.mark.synapse


async def _all_redacted(school: School, room_id: str, event_ids: list[str]) -> bool:
    for event_id in event_ids:
        if not is_redacted(await school.event("jan", room_id, event_id)):
            return False
    return True


async def test_restart_mid_stream_loses_nothing_and_doubles_nothing(
    school: School, tmp_path: Path, store_dir: Path, database_url: str
) -> None:
    """On SQLite and on PostgreSQL: the sync token and the incidents live in the same database."""
    room_id = await school.create_room("jan", members=("daan",), levels={"bot": 100})
    rooms = [room(room_id, "student-run", abuse_action="delete")]
    core = school.make_core(tmp_path, rooms, database_url=database_url)
    token = school.new_bot_token()
    first = school.adapter(core, store_dir, token=token)
    await first.start(core.moderator)
    bad: list[str] = []
    for i in range(4):
        bad.append(await school.send("daan", room_id, f"{MARKER} nummer {i}"))
        await school.send("daan", room_id, f"gewoon bericht {i}")
    await eventually(lambda: incidents(core), what="the first incident")
    assert await core.moderator.drained()  # the notices handed to the workers go out through this adapter first
    await first.stop()  # killed while the stream is still being handled

    # While the bot is down: more than a sync timeline holds (50), so the restart must fill the gap.
    for i in range(60):
        text = f"{MARKER} terwijl de bot weg is {i}" if i in (0, 30, 59) else f"bericht {i}"
        event_id = await school.send("daan", room_id, text)
        if MARKER in text:
            bad.append(event_id)

    second = school.adapter(core, store_dir, token=token)
    async with running(core, second):
        found = await eventually(lambda: len(incidents(core)) >= len(bad) and incidents(core), what="every incident")
        await eventually(lambda: _all_redacted(school, room_id, bad), what="every redaction")
        ids = [i.event_id for i in incidents(core)]
        assert sorted(ids) == sorted(bad)  # none missed, none twice
        assert len(found) == len(bad)


async def test_a_failed_redaction_is_recorded_as_failed(school: School, tmp_path: Path, store_dir: Path) -> None:
    room_id = await school.create_room("jan", members=("daan",), levels={})  # the bot has no power here
    core = school.make_core(tmp_path, [room(room_id, "student-run", abuse_action="delete", notify_sender=False)])
    async with running(core, school.adapter(core, store_dir)):
        bad = await school.send("daan", room_id, f"jij {MARKER}")
        found = await eventually(
            lambda: [i for i in incidents(core) if i.action_status != "pending"], what="the action outcome"
        )
        assert found[0].event_id == bad
        assert found[0].action_status == "failed"
        assert not is_redacted(await school.event("jan", room_id, bad))


async def test_bad_events_are_logged_and_skipped(
    school: School, tmp_path: Path, store_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    room_id = await school.create_room("jan", members=("daan",), levels={"bot": 100}, encrypted=True)
    core = school.make_core(tmp_path, [room(room_id, "student-run", abuse_action="delete")])
    caplog.set_level(logging.WARNING, logger="adapters.matrix")
    async with running(core, school.adapter(core, store_dir, undecryptable_batches=3)) as adapter:
        clean = await school.send("daan", room_id, "hoi")
        await school.send_event(
            "daan",
            room_id,
            "m.room.message",
            {
                "msgtype": "m.text",
                "body": "* x",
                "m.new_content": 5,
                "m.relates_to": {"rel_type": "m.replace", "event_id": clean},
            },
        )
        await school.send_event(
            "daan",
            room_id,
            "m.room.message",
            {"msgtype": "m.text", "body": "x", "m.relates_to": {"m.in_reply_to": {"event_id": 5}}},
        )
        await school.send_event("daan", room_id, "org.example.unknown", {"whatever": True})
        garbage = await school.send_event(
            "daan",
            room_id,
            "m.room.encrypted",
            {
                "algorithm": "m.megolm.v1.aes-sha2",
                "sender_key": "bm90IGEga2V5",
                "session_id": "no-such-session",
                "device_id": "NOPE",
                "ciphertext": "AwgAEnA",
            },
        )
        # Plain text in an encrypted room is still a message the bot must judge.
        bad = await school.send("daan", room_id, f"en toch een {MARKER}")
        found = await eventually(lambda: incidents(core), what="the good message to be judged after the bad ones")
        assert [i.event_id for i in found] == [bad]
        batches = adapter.batches
        for i in range(4):  # more sync batches, so the undecryptable event is retried and given up
            await school.send("jan", room_id, f"verder {i}")
        await eventually(lambda: adapter.batches >= batches + 3, what="more sync batches")
        await eventually(lambda: "gave up on undecryptable event" in caplog.text, what="the give-up line")
    text = caplog.text
    assert text.count(f"cannot decrypt event {garbage}") == 1  # logged once, not every batch
    assert text.count(f"gave up on undecryptable event {garbage}") == 1
    assert "m.replace edit without m.relates_to.event_id or m.new_content object" in text
    assert "m.in_reply_to.event_id is int, not a string" in text


async def test_a_kicked_bot_keeps_running(
    school: School, tmp_path: Path, store_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    announcements = await school.create_room("jan", members=("sanne",), levels={"bot": 100})
    other = await school.create_room("jan", members=("daan",), levels={"bot": 100})
    rooms = [room(announcements, "announcement"), room(other, "student-run", abuse_action="delete")]
    core = school.make_core(tmp_path, rooms)
    caplog.set_level(logging.INFO, logger="adapters.matrix")
    async with running(core, school.adapter(core, store_dir)) as adapter:
        path = f"/_matrix/client/v3/rooms/{announcements}/kick"
        await school.api("jan", "POST", path, {"user_id": school.uid("bot"), "reason": "test"})
        await eventually(lambda: "no longer in room" in caplog.text, what="the kicked log line")
        drift = await eventually(
            lambda: [i for i in incidents(core) if i.category == "permission-drift"], what="leadership to be told"
        )
        assert drift[0].author_account == school.uid("jan") and "removed" in drift[0].explanation
        await adapter.reconcile()  # the scheduled drift check: a clear error, no crash
        assert f"cannot check announcement room announcement-room ({announcements}): the bot is not in it" in (
            caplog.text
        )
        bad = await school.send("daan", other, f"nog steeds een {MARKER}")
        await eventually(lambda: [i for i in incidents(core) if i.event_id == bad], what="moderation elsewhere")


# -- a homeserver with strict message rate limits -------------------------------------------------------------


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[School]:
    limits = {"rc_message": {"per_second": 2, "burst_count": 2}}
    with running_synapse(tmp_path_factory.mktemp("synapse-strict"), overrides=limits) as server:
        admin = server.register("admin", admin=True)
        accounts = {name: server.register(name) for name in SCHOOL_ACCOUNTS}
        for name in ("jan", "daan"):  # the people in the test are not limited; only the bot is
            path = f"/_synapse/admin/v1/users/{accounts[name].user_id}/override_ratelimit"
            server.api("POST", path, admin.access_token, {"messages_per_second": 0, "burst_count": 0})
        yield School(server, accounts)


async def test_rate_limited_actions_all_complete(
    strict: School, tmp_path: Path, store_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    school = strict
    review = await school.create_room("jan")
    room_id = await school.create_room("jan", members=("daan",), levels={"bot": 100})
    core = school.make_core(tmp_path, [room(room_id, "student-run", abuse_action="delete")])
    caplog.set_level(logging.WARNING)
    async with running(core, school.adapter(core, store_dir, review_room=review)):
        bad = [await school.send("daan", room_id, f"{MARKER} {i}") for i in range(4)]
        await eventually(
            lambda: [i.action_status for i in incidents(core)] == ["done"] * 4, timeout=40, what="all actions done"
        )
        assert await _all_redacted(school, room_id, bad)
    assert "ratelimited" in caplog.text  # the server did push back, and the bot waited it out


async def test_rate_limits_make_the_deliveries_yield_and_everything_is_still_delivered(
    strict: School, tmp_path: Path, store_dir: Path
) -> None:
    school = strict
    review = await school.create_room("jan")
    room_id = await school.create_room("jan", members=("daan",), levels={"bot": 100})
    core = school.make_core(tmp_path, [room(room_id, "student-run", abuse_action="delete")])
    back_off = core.back_offs[Platform.MATRIX]
    told: list[float] = []

    def limited(seconds: float) -> None:  # as bot/platforms.py wires it, and seen here
        told.append(seconds)
        back_off.limited(seconds, time.monotonic())

    adapter = school.adapter(core, store_dir, review_room=review, rate_limited=limited)
    async with running(core, adapter):
        bad = [await school.send("daan", room_id, f"{MARKER} {i}") for i in range(6)]
        await eventually(
            lambda: [i.action_status for i in incidents(core)] == ["done"] * 6, timeout=60, what="all actions done"
        )
        assert await _all_redacted(school, room_id, bad)
    assert told and all(seconds > 0 for seconds in told)  # M_LIMIT_EXCEEDED reached the back-off, with its wait
    assert back_off.yielded >= 1  # and the deliveries were cut back for it
    assert len(await school.notices_from_bot("daan")) >= 1


# -- a homeserver that goes down and comes back --------------------------------------------------------------


async def test_homeserver_outage_reconnects(tmp_path: Path, store_dir: Path) -> None:
    server = SynapseServer(tmp_path / "synapse-outage")
    server.start()
    try:
        school = School(server, {name: server.register(name) for name in ("bot", "jan", "daan")})
        room_id = await school.create_room("jan", members=("daan",), levels={"bot": 100})
        core = school.make_core(tmp_path, [room(room_id, "student-run", abuse_action="delete")])
        async with running(core, school.adapter(core, store_dir, max_backoff_s=0.5)) as adapter:
            await school.send("daan", room_id, "hallo")
            await eventually(lambda: adapter.batches >= 1, what="a first batch")
            server.stop()
            server.start()
            bad = await school.send("daan", room_id, f"weer terug, {MARKER}")
            await eventually(lambda: [i for i in incidents(core) if i.event_id == bad], timeout=30, what="recovery")
            await eventually(lambda: _all_redacted(school, room_id, [bad]), what="the redaction after the outage")
    finally:
        server.stop()


class FlakyCore:
    """The real Moderator, except that its first `failures` calls to handle() find the database away."""

    def __init__(self, moderator: Any, failures: int) -> None:
        self._moderator = moderator
        self.failures = failures

    def __getattr__(self, name: str) -> Any:
        return getattr(self._moderator, name)

    async def handle(self, message: Any, enforcer: Any) -> Any:
        if self.failures > 0:
            self.failures -= 1
            raise StoreUnavailable("connection refused")
        return await self._moderator.handle(message, enforcer)


async def test_a_core_failure_retries_the_batch(
    school: School, tmp_path: Path, store_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    room_id = await school.create_room("jan", members=("daan",), levels={"bot": 100})
    core = school.make_core(tmp_path, [room(room_id, "student-run", abuse_action="delete")])
    flaky = FlakyCore(core.moderator, failures=2)
    adapter = school.adapter(core, store_dir)
    await adapter.start(flaky)
    try:
        bad = await school.send("daan", room_id, f"{MARKER}!")
        await eventually(lambda: _all_redacted(school, room_id, [bad]), timeout=30, what="the redaction after retries")
        assert [i.event_id for i in incidents(core)] == [bad]
        assert flaky.failures == 0 and "a sync batch could not be finished" in caplog.text
    finally:
        await core.moderator.stop_taking(grace=10)  # as the bot stops: the notice to daan in hand finishes
        await adapter.stop()
        core.close()
