"""The timetable relay end to end on the real Synapse: the fake Zermelo portal's week of changes reaches each class
announcement room as exactly one current post per change — edited where the change changed, redacted where it was
withdrawn — and a restart, even one that kills the bot between posting and recording, posts nothing twice."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from adapters.matrix.announcer import MatrixAnnouncer
from tests.adapters.matrix.helpers import SCHOOL_ACCOUNTS, School, is_redacted, room
from tests.support.announcements import clock_at, make_relay, zermelo_settings
from tests.support.fake_zermelo import FakeZermelo
from tests.support.fake_zermelo.week import FIRST_2B, FIRST_3A, LATER_2B, LATER_3A, SchoolWeek
from tests.support.synapse import MatrixHTTPError, running_synapse

pytestmark = pytest.mark.synapse


class Killed(BaseException):
    """The process ends here (not an error the relay could catch and record; it stops every task at once)."""


class KilledAfterPosting:
    """The real announcer, but the process dies right after the homeserver took the n-th post."""

    def __init__(self, real: MatrixAnnouncer, after: int) -> None:
        self.platform = real.platform
        self.confirms_reads = real.confirms_reads
        self.read_hint = real.read_hint
        self._real = real
        self._left = after

    async def post(self, room_id: str, text: str, key: str, *, asks_read: bool = False) -> str:
        event_id = await self._real.post(room_id, text, key, asks_read=asks_read)
        self._left -= 1
        if self._left == 0:
            raise Killed
        return event_id

    async def find_posted(self, room_id: str, text: str) -> str | None:
        return await self._real.find_posted(room_id, text)

    async def edit(self, room_id: str, message_id: str, text: str) -> None:
        await self._real.edit(room_id, message_id, text)

    async def retract(self, room_id: str, message_id: str) -> None:
        await self._real.retract(room_id, message_id)


async def leave(school: School, rooms: list[str], names: tuple[str, ...]) -> None:
    """The rooms of this test are left by everyone, so later tests on the same Synapse do not see them."""
    for room_id in rooms:
        for name in names:
            with contextlib.suppress(MatrixHTTPError):  # not in it
                await school.api(name, "POST", f"/_matrix/client/v3/rooms/{quote(room_id)}/leave", {})


async def current_posts(school: School, room_id: str) -> list[str]:
    """The bot's posts as a member's client shows them: each original with its latest edit; redacted ones gone."""
    events = list(reversed(await school.timeline("sanne", room_id, limit=200)))
    bot = school.uid("bot")
    shown: dict[str, str] = {}
    for event in events:
        if event["sender"] != bot or event["type"] != "m.room.message" or is_redacted(event):
            continue
        content = event["content"]
        relation = content.get("m.relates_to", {})
        if relation.get("rel_type") == "m.replace":
            if relation["event_id"] in shown:
                shown[relation["event_id"]] = content["m.new_content"]["body"]
        else:
            shown[event["event_id"]] = content["body"]
    return list(shown.values())


@pytest.fixture
async def week() -> AsyncIterator[tuple[SchoolWeek, FakeZermelo]]:
    school_week = SchoolWeek().plan_week()
    async with FakeZermelo(school_week.portal).running() as fake:
        yield school_week, fake


async def test_the_week_reaches_each_class_room_once_per_change(
    school: School, tmp_path: Path, store_dir: Path, week: tuple[SchoolWeek, FakeZermelo]
) -> None:
    timetable, fake = week
    r2b = await school.create_room("jan", members=("sanne",), levels={"bot": 100})
    r3a = await school.create_room("jan", members=("sanne", "noor"), levels={"bot": 100})
    rooms: list[dict[str, Any]] = [
        room(r2b, "announcement", name="Mededelingen 2B"),
        room(r3a, "announcement", name="Mededelingen 3A"),
    ]
    token = school.new_bot_token()  # the bot's one login, kept across restarts as in production

    def start() -> tuple[Any, Any]:
        core = school.make_core(tmp_path, rooms, extra_settings=zermelo_settings(fake.url))
        core.clock = clock_at()
        return core, school.adapter(core, store_dir, token=token)

    core, adapter = start()
    await adapter.start(core.moderator)
    try:
        timetable.first_changes()
        dying = KilledAfterPosting(MatrixAnnouncer(adapter, core.moderator.texts), after=2)
        with pytest.raises(Killed):
            await make_relay(core, [dying], fake.url).poll_once()
    finally:
        await adapter.stop()
        core.close()

    core, adapter = start()  # the restart: the second post went out, but was never recorded
    await adapter.start(core.moderator)
    try:
        relay = make_relay(core, [MatrixAnnouncer(adapter, core.moderator.texts)], fake.url)
        await relay.poll_once()
        assert sorted(await current_posts(school, r2b)) == sorted(FIRST_2B)
        assert sorted(await current_posts(school, r3a)) == sorted(FIRST_3A)

        timetable.later_changes()
        await relay.poll_once()
        assert sorted(await current_posts(school, r2b)) == sorted(LATER_2B)
        assert sorted(await current_posts(school, r3a)) == sorted(LATER_3A)

        await relay.poll_once()  # nothing new: nothing sent
        events = await school.timeline("sanne", r3a, limit=200)
        ours = [e for e in events if e["sender"] == school.uid("bot") and e["type"] == "m.room.message"]
        edits = [e for e in ours if e["content"].get("m.relates_to", {}).get("rel_type") == "m.replace"]
        assert len(ours) == 4 and len(edits) == 1  # three posts (one since redacted) and one edit, nothing twice
        assert sum(is_redacted(e) for e in ours) == 1
        assert edits[0]["content"]["m.new_content"]["body"].endswith("naar lokaal 110")
    finally:
        await adapter.stop()
        core.close()
        await leave(school, [r2b, r3a], ("sanne", "noor", "bot", "jan"))


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[School]:
    """A homeserver that limits the bot to 2 messages a second (burst 2): a fan-out meets M_LIMIT_EXCEEDED."""
    limits = {"rc_message": {"per_second": 2, "burst_count": 2}}
    with running_synapse(tmp_path_factory.mktemp("synapse-strict-announce"), overrides=limits) as server:
        admin = server.register("admin", admin=True)
        accounts = {name: server.register(name) for name in SCHOOL_ACCOUNTS}
        for name in ("jan", "sanne"):  # only the bot is limited
            path = f"/_synapse/admin/v1/users/{accounts[name].user_id}/override_ratelimit"
            server.api("POST", path, admin.access_token, {"messages_per_second": 0, "burst_count": 0})
        yield School(server, accounts)


async def test_a_fan_out_waits_out_m_limit_exceeded_and_reaches_every_room(
    strict: School, tmp_path: Path, store_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    school = strict
    classes = [f"K{i}" for i in range(1, 7)]
    ids = {c: await school.create_room("jan", members=("sanne",), levels={"bot": 100}) for c in classes}
    rooms = [room(ids[c], "announcement", name=f"Mededelingen {c}") for c in classes]
    timetable = SchoolWeek()
    for slot in (1, 2):
        timetable.lesson(f"ak-{slot}", 0, slot, subjects=["ak"], groups=["leerjaar1"], locations=["104"])
    caplog.set_level(logging.WARNING)
    async with FakeZermelo(timetable.portal).running() as portal:
        core = school.make_core(
            tmp_path, rooms, extra_settings=zermelo_settings(portal.url, groups={"leerjaar1": classes})
        )
        core.clock = clock_at()
        adapter = school.adapter(core, store_dir)
        await adapter.start(core.moderator)
        try:
            for name in ("ak-1", "ak-2"):
                timetable.portal.change(timetable.lessons[name], cancelled=True)
            result = await make_relay(core, [MatrixAnnouncer(adapter, core.moderator.texts)], portal.url).poll_once()
            assert (result.progress.done, result.progress.failed) == (12, 0)
            for cls in classes:
                assert sorted(await current_posts(school, ids[cls])) == [
                    f"{cls}: het 1e uur aardrijkskunde (ma 7 dec) vervalt",
                    f"{cls}: het 2e uur aardrijkskunde (ma 7 dec) vervalt",
                ]
        finally:
            await adapter.stop()
            core.close()
    assert "ratelimited" in caplog.text  # the homeserver did push back, and the bot waited it out
