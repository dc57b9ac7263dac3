"""The real bot (`schoolwacht run` as its own process) against the real Synapse and real PostgreSQL: killed at each
step of an incident, a 60-second PostgreSQL outage under a steady stream, SIGTERM in a burst. Afterwards every
action of every incident is done exactly once: one redaction, one notice, one copy of the card per viewer."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from adapters.matrix.config import TOKEN_ENV
from adapters.matrix.enforcer import DM_KEY
from adapters.matrix.reviewers import COPIES_KEY
from bot.database import upgrade
from moderation.notice_plans import NoticeRecord
from moderation.roster import parse_roster, store_roster
from moderation.storage.engine import make_engine, make_session_factory
from moderation.storage.incidents import HistoryRow, IncidentRow, OutboxRow
from moderation.storage.state import StateRow
from tests.adapters.matrix.helpers import School, eventually
from tests.support.bot_process import BotProcess
from tests.support.core import roster_csv
from tests.support.postgres_cluster import own_cluster

pytestmark = pytest.mark.synapse

INSULT = "jij bent een sukkel"  # the real text tier calls this an insult (R2): delete, notice, cards
STARTED = "matrix adapter started"
NUMBER = r"^(?:⚑ Melding #|Melding: #)(\d+)\b"  # a card's incident: the reviewer's card, the overview's first card


@dataclass
class Bot:
    school: School
    room_id: str
    review_id: str
    sessions: sessionmaker[Session]
    process: BotProcess

    def incidents(self) -> list[IncidentRow]:
        with self.sessions() as session:
            return list(session.scalars(select(IncidentRow).order_by(IncidentRow.id)))

    def owed(self, incident_id: int | None = None) -> list[tuple[str, str, str]]:
        query = select(OutboxRow.kind, OutboxRow.target, OutboxRow.status).order_by(OutboxRow.id)
        if incident_id is not None:
            query = query.where(OutboxRow.incident_id == incident_id)
        with self.sessions() as session:
            return [(k, t, s) for k, t, s in session.execute(query)]

    def history(self, incident_id: int) -> list[tuple[str, str]]:
        with self.sessions() as session:
            query = select(HistoryRow.action, HistoryRow.detail).where(HistoryRow.incident_id == incident_id)
            return [(a, d) for a, d in session.execute(query)]

    def copies(self, viewer: str) -> dict[int, str]:
        """incident id -> the card message the bot holds as `viewer`'s copy of it."""
        found: dict[int, str] = {}
        with self.sessions() as session:
            for row in session.scalars(select(StateRow).where(StateRow.key.like(COPIES_KEY + "%"))):
                number = row.key.removeprefix(COPIES_KEY)
                if number.isdigit() and row.value and viewer in (copies := json.loads(row.value)):
                    found[int(number)] = copies[viewer][1]
        return found

    def direct_room(self, name: str) -> str:
        with self.sessions() as session:
            row = session.get(StateRow, DM_KEY + self.school.uid(name))
            assert row is not None and row.value, f"no direct room with {name}"
            return row.value

    def settled(self) -> bool:
        found = self.incidents()
        return bool(found) and all(i.action_status != "pending" for i in found)

    async def posts_by_bot(self, name: str, room_id: str) -> list[dict[str, Any]]:
        """The bot's messages in a room, as `name` sees them (joined first: a direct room starts as an invite)."""
        await self.school.api(name, "POST", f"/_matrix/client/v3/rooms/{quote(room_id)}/join", {})
        events = await _all_events(self.school, name, room_id)
        bot = self.school.uid("bot")
        return [e for e in events if e["sender"] == bot and e["type"] in ("m.room.message", "m.room.encrypted")]

    async def redactions(self) -> dict[str, int]:
        """How many redactions the bot sent per redacted event in the class room."""
        counts: dict[str, int] = {}
        for event in await _all_events(self.school, "jan", self.room_id):
            if event["type"] == "m.room.redaction" and event["sender"] == self.school.uid("bot"):
                target = event.get("redacts") or event.get("content", {}).get("redacts")
                counts[target] = counts.get(target, 0) + 1
        return counts


async def _all_events(school: School, name: str, room_id: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    start = ""
    while True:
        path = f"/_matrix/client/v3/rooms/{quote(room_id)}/messages?dir=b&limit=500" + (
            f"&from={quote(start)}" if start else ""
        )
        page = await school.api(name, "GET", path)
        events.extend(page.get("chunk", []))
        if not page.get("chunk") or not page.get("end"):
            return events
        start = page["end"]


def _prepare(
    school: School, url: str, tmp_path: Path, room_id: str, review_id: str, workers: int, bot_settings: str = ""
) -> sessionmaker[Session]:
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    store_roster(sessions, parse_roster(roster_csv(school.people())), datetime.now(UTC))
    config = tmp_path / "schoolwacht.toml"
    config.write_text(
        f"""
[database]
url = "{url}"

[bot]
platforms = ["matrix"]
{"" if "stop_grace_s" in bot_settings else "stop_grace_s = 60"}
delivery_workers = {workers}
{bot_settings}

[classifier]
ml_backend = "none"

[matrix]
homeserver = "{school.server.url}"
user_id = "{school.uid("bot")}"
store_dir = "matrix-store"
review_room = "{review_id}"
sync_timeout_ms = 2000

[[rooms]]
platform = "matrix"
id = "{room_id}"
name = "klas-2b"
kind = "class"
abuse_action = "delete"
""",
        encoding="utf-8",
    )
    return sessions


@pytest.fixture
def engines() -> Iterator[list[Engine]]:
    made: list[Engine] = []
    yield made
    for engine in made:
        engine.dispose()


async def _bot(school: School, tmp_path: Path, url: str, *, workers: int = 0, bot_settings: str = "") -> Bot:
    room_id = await school.create_room("jan", members=("daan",), levels={"bot": 100})
    review_id = await school.create_room("dir")
    sessions = _prepare(school, url, tmp_path, room_id, review_id, workers, bot_settings)
    # One login for every run: the same device, as a restarted bot has (a redo reuses its transaction ids).
    process = BotProcess(tmp_path / "schoolwacht.toml", tmp_path / "bot.log", env={TOKEN_ENV: school.new_bot_token()})
    return Bot(school, room_id, review_id, sessions, process)


def told(log: str) -> dict[str, set[str]]:
    """Each notice message the bot logged sending (its event id) -> the messages it was about. A notice sent again
    after a kill has the same event id (the same transaction), and must be about the same messages."""
    found: dict[str, set[str]] = {}
    for event_id, about in re.findall(r"matrix: notice (\S+) to \S+ about (.+)$", log, re.M):
        messages = set(about.split())
        assert found.setdefault(event_id, messages) == messages, (event_id, found[event_id], messages)
    return found


async def assert_told_once(bot: Bot, sent: list[str]) -> dict[str, set[str]]:
    """Every message's notice on exactly one notice message in the student's direct room, and nothing else there."""
    notices = told(bot.process.log_path.read_text(encoding="utf-8", errors="replace"))
    about = [m for messages in notices.values() for m in messages]
    assert sorted(about) == sorted(sent), (sorted(about), sorted(sent))  # none lost, none on two notices
    posts = await bot.posts_by_bot("daan", bot.direct_room("daan"))
    assert sorted(p["event_id"] for p in posts) == sorted(notices)  # no notice the bot does not know of
    return notices


def assert_clean(log: str) -> None:
    """A clean stop: no error, no traceback, and the bot says it stopped."""
    assert " ERROR " not in log and "Traceback" not in log and "never retrieved" not in log, log[-4000:]
    assert "stopped" in log


async def test_killed_at_every_step_each_action_is_done_exactly_once(
    school: School, tmp_path: Path, postgres_url: str
) -> None:
    bot = await _bot(school, tmp_path, postgres_url, workers=4)  # notices and cards by the workers
    # "marks": delivered, and killed before the workers' batch of done marks is written.
    steps = ["recorded", "delete", "notify-sender", "marks"]  # then each copy of the card, as routed (read below)
    sent: list[str] = []
    killed_at: list[str] = []
    while steps:
        step = steps.pop(0)
        bot.process.start(die_at=step)
        bot.process.wait_for_log(STARTED)
        sent.append(await bot.school.send("daan", bot.room_id, f"{INSULT} ({step})"))
        assert bot.process.wait_ended() == 137, bot.process.log()[-3000:]  # it ended itself right at the step
        killed_at.append(step)
        number = await eventually(lambda: [i.id for i in bot.incidents() if i.event_id == sent[-1]], what="incident")
        pending = [(k, t) for k, t, s in bot.owed(number[0]) if s == "pending"]
        assert pending, f"killed at {step}, yet nothing is left to do"
        if step == "recorded":
            steps.extend(f"card:{t}" for k, t in pending if k == "card")

        bot.process.start()  # a normal restart finishes what the kill interrupted
        bot.process.wait_for_log(STARTED)
        await eventually(bot.settled, timeout=30, what=f"the actions after a kill at {step}")
        assert bot.process.terminate() == 0
        assert_clean(bot.process.log())

    assert "card:overview" in killed_at and any(s.startswith("card:") and s != "card:overview" for s in killed_at)
    summary: list[str] = []
    found = bot.incidents()
    assert sorted(i.event_id for i in found) == sorted(sent)  # one incident per message, none lost
    assert all(i.action_status == "done" for i in found)
    assert all(status == "done" for _k, _t, status in bot.owed())
    viewers = sorted({t for k, t, _s in bot.owed() if k == "card"})
    for incident in found:
        lines = [action for action, _detail in bot.history(incident.id)]
        assert lines.count("delete") == 1 and lines.count("notify-sender") == 1
        assert lines.count("announce") == len(viewers)  # one line per copy of the card
    # On the homeserver: each message redacted once, one notice each, one card per viewer per incident.
    redactions = await bot.redactions()
    assert redactions == dict.fromkeys(sent, 1)
    notices = await bot.posts_by_bot("daan", bot.direct_room("daan"))
    assert len(notices) == len(sent)
    summary.append(f"killed at: {', '.join(killed_at)} (each run ended with 137, each restart stopped cleanly)")
    summary.append(f"incidents {len(found)}, redactions {sum(redactions.values())}, notices {len(notices)}")
    for viewer in viewers:
        if viewer == "overview":
            cards = await bot.posts_by_bot("dir", bot.review_id)
            numbers = sorted(int(c["content"]["body"].split("#")[1].split("\n")[0]) for c in cards)
            assert numbers == [i.id for i in found]
        else:
            cards = await bot.posts_by_bot(viewer, bot.direct_room(viewer))
            assert len(cards) == len(sent), viewer
        summary.append(f"cards for {viewer}: {len(cards)}")
    print("\nfault suite, kill at every step:\n  " + "\n  ".join(summary))


async def test_killed_right_after_a_combined_card_nothing_is_lost_or_shown_twice(
    school: School, tmp_path: Path, postgres_url: str
) -> None:
    bot = await _bot(school, tmp_path, postgres_url, workers=4)
    # "cards-together": a burst's combined card went to the homeserver, and the process ends before it is marked.
    bot.process.start(die_at="cards-together")
    bot.process.wait_for_log(STARTED)
    sent = [await bot.school.send("daan", bot.room_id, f"{INSULT} (eerste)")]
    await eventually(lambda: len(bot.incidents()) == 1, what="the first incident")
    for n in range(3):  # within the burst window: the coordinator's, Jansen's and the overview's come combined
        sent.append(await bot.school.send("daan", bot.room_id, f"{INSULT} ({n})"))
    assert bot.process.wait_ended() == 137, bot.process.log()[-3000:]
    await eventually(lambda: len(bot.incidents()) == len(sent), what="every incident recorded before the kill")
    assert any(s == "pending" for _k, _t, s in bot.owed())

    bot.process.start()
    bot.process.wait_for_log(STARTED)
    await eventually(bot.settled, timeout=30, what="the actions after the kill")
    assert bot.process.terminate() == 0
    assert_clean(bot.process.log())

    found = bot.incidents()
    numbers = sorted(i.id for i in found)
    assert sorted(i.event_id for i in found) == sorted(sent) and all(i.action_status == "done" for i in found)
    assert all(status == "done" for _k, _t, status in bot.owed())
    viewers = sorted({t for k, t, _s in bot.owed() if k == "card"})
    for incident in found:
        assert [a for a, _d in bot.history(incident.id)].count("announce") == len(viewers)
    assert await bot.redactions() == dict.fromkeys(sent, 1)
    combined = 0
    for viewer in viewers:  # every incident on exactly one card per viewer, combined or its own
        if viewer == "overview":  # the review room is not encrypted: its cards are read
            posts = await bot.posts_by_bot("dir", bot.review_id)
            shown = [[int(n) for n in re.findall(NUMBER, str(p["content"]["body"]), re.M)] for p in posts]
        else:  # an encrypted direct room: what the bot holds as each incident's copy, against what is in the room
            posts = await bot.posts_by_bot(viewer, bot.direct_room(viewer))
            copies = bot.copies(viewer)
            assert sorted(copies) == numbers, (viewer, copies)
            shown = [[n for n, message in copies.items() if message == m] for m in dict.fromkeys(copies.values())]
            assert len(posts) == len(shown), (viewer, len(posts), shown)  # no card the bot does not know of
        assert sorted(n for card in shown for n in card) == numbers, (viewer, shown)
        combined += sum(len(card) > 1 for card in shown)
    assert combined >= 1  # the kill did come after a combined card
    print(f"\nfault suite, killed after a combined card: {len(found)} incidents, each shown once to {viewers}")


@pytest.mark.parametrize("die_at", ["cards-together", "notices-together"])
async def test_killed_with_notices_waiting_in_a_burst_nothing_is_lost_or_told_twice(
    school: School, tmp_path: Path, postgres_url: str, die_at: str
) -> None:
    # The notices' window is well longer than the cards' (on a busy machine too): killed at the combined card, the
    # student's later notices are still waiting in their burst; killed at the combined notice, it went out and was
    # not marked done.
    bot = await _bot(school, tmp_path, postgres_url, workers=4, bot_settings="card_burst_s = 2\nnotice_burst_s = 8")
    bot.process.start(die_at=die_at)
    bot.process.wait_for_log(STARTED)
    sent = [await bot.school.send("daan", bot.room_id, f"{INSULT} (eerste)")]
    await eventually(lambda: len(bot.incidents()) == 1, what="the first incident")
    for n in range(3):  # within both windows
        sent.append(await bot.school.send("daan", bot.room_id, f"{INSULT} ({n})"))
    assert bot.process.wait_ended() == 137, bot.process.log()[-3000:]
    assert len(bot.incidents()) == len(sent)
    assert ("notify-sender", "", "pending") in bot.owed()

    bot.process.start()
    bot.process.wait_for_log(STARTED)
    await eventually(bot.settled, timeout=30, what="the actions after the kill")
    assert bot.process.terminate() == 0
    assert_clean(bot.process.log())

    assert all(status == "done" for _k, _t, status in bot.owed())
    for incident in bot.incidents():
        assert [a for a, _d in bot.history(incident.id)].count("notify-sender") == 1
    assert await bot.redactions() == dict.fromkeys(sent, 1)
    notices = await assert_told_once(bot, sent)
    assert len(notices) == 2, notices  # the first alone, the other three on one
    with bot.sessions() as session:
        plans = session.scalars(select(StateRow.value).where(StateRow.key.like("matrix.notice-plan.%"))).all()
    for record in map(NoticeRecord.parse, plans):  # nothing left planned, each message told of once
        assert record.plan == [] and len(record.told) == len(set(record.told)), record
    print(f"\nfault suite, killed at {die_at}: {len(sent)} messages, told in {len(notices)} notices, each once")


async def test_stopped_with_a_backlog_the_cards_and_notices_owed_at_start_go_combined(
    school: School, tmp_path: Path, postgres_url: str
) -> None:
    # Long windows and no grace at the stop: the burst's cards and notices are still owed when the process ends.
    settings = "card_burst_s = 30\nnotice_burst_s = 30\nstop_grace_s = 0"
    bot = await _bot(school, tmp_path, postgres_url, workers=4, bot_settings=settings)
    bot.process.start()
    bot.process.wait_for_log(STARTED)
    sent = [await bot.school.send("daan", bot.room_id, f"{INSULT} (eerste)")]
    await eventually(lambda: len(bot.incidents()) == 1 and bot.settled(), what="the first incident, done")
    for n in range(3):
        sent.append(await bot.school.send("daan", bot.room_id, f"{INSULT} ({n})"))
    await eventually(lambda: len(bot.incidents()) == len(sent), what="every incident")
    await eventually(lambda: all(s == "done" for k, _t, s in bot.owed() if k == "delete"), what="the redactions")
    assert bot.process.terminate() == 0
    backlog = [(k, t) for k, t, s in bot.owed() if s == "pending"]
    viewers = sorted({t for k, t in backlog if k == "card"})
    assert backlog and viewers and ("notify-sender", "") in backlog

    bot.process.start()  # the backlog is handed over at once: one combined card per viewer, one notice
    bot.process.wait_for_log(STARTED)
    await eventually(bot.settled, timeout=30, what="the backlog")
    assert bot.process.terminate() == 0
    assert_clean(bot.process.log())
    first, *later = sorted(i.id for i in bot.incidents())
    for viewer in viewers:
        if viewer == "overview":
            posts = await bot.posts_by_bot("dir", bot.review_id)
            shown = [[int(n) for n in re.findall(NUMBER, str(p["content"]["body"]), re.M)] for p in posts]
        else:
            copies = bot.copies(viewer)
            shown = [[n for n, message in copies.items() if message == m] for m in dict.fromkeys(copies.values())]
        assert sorted(map(sorted, shown)) == [[first], later], (viewer, shown)
    assert await bot.redactions() == dict.fromkeys(sent, 1)
    notices = await assert_told_once(bot, sent)
    assert len(notices) == 2, notices
    print(f"\nfault suite, a backlog at start: {len(later)} incidents' cards on one card for each of {viewers}")


async def test_sigterm_in_a_burst_finishes_the_message_in_hand(
    school: School, tmp_path: Path, postgres_url: str
) -> None:
    bot = await _bot(school, tmp_path, postgres_url)
    bot.process.start()
    bot.process.wait_for_log(STARTED)
    sent: list[str] = []

    async def burst() -> None:
        for i in range(30):
            sent.append(await bot.school.send("daan", bot.room_id, f"{INSULT} {i}"))
            await asyncio.sleep(0.05)

    sending = asyncio.create_task(burst())
    await eventually(bot.incidents, what="the first incident")
    assert await asyncio.to_thread(bot.process.terminate) == 0  # the burst goes on meanwhile
    await sending
    log = bot.process.log()
    assert_clean(log)
    assert "no new messages are taken" in log
    # The message in hand was finished: no incident is left half done.
    assert bot.incidents() and all(status == "done" for _k, _t, status in bot.owed())
    stopped_with = len(bot.incidents())
    assert stopped_with < len(sent)  # the stop did come in the middle of the burst

    bot.process.start()  # the rest is judged after the restart, nothing twice
    bot.process.wait_for_log(STARTED)
    await eventually(lambda: len(bot.incidents()) == len(sent) and bot.settled(), timeout=60, what="the rest")
    assert bot.process.terminate() == 0
    assert sorted(i.event_id for i in bot.incidents()) == sorted(sent)
    redactions = await bot.redactions()
    assert redactions == dict.fromkeys(sent, 1)
    notices = await assert_told_once(bot, sent)  # a burst's notices come several on one
    print(
        f"\nfault suite, SIGTERM in a burst of {len(sent)}: {stopped_with} incident(s) finished before the stop, "
        f"none half done; after the restart {len(bot.incidents())} incidents, {sum(redactions.values())} "
        f"redactions, {len(notices)} notices"
    )


async def test_a_minute_of_postgresql_outage_under_a_steady_stream(
    school: School, tmp_path: Path, engines: list[Engine]
) -> None:
    with own_cluster() as cluster:
        admin = create_engine(cluster.url, isolation_level="AUTOCOMMIT")
        engines.append(admin)
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE sw"))
        url = cluster.url.rsplit("/", 1)[0] + "/sw"
        bot = await _bot(school, tmp_path, url)
        bot.process.start()
        try:
            bot.process.wait_for_log(STARTED)
            abusive: list[str] = []
            began = time.monotonic()
            down_at, up_at, end_at = 8.0, 68.0, 76.0
            state = "up"
            i = 0
            while (elapsed := time.monotonic() - began) < end_at:
                if state == "up" and elapsed >= down_at:
                    await asyncio.to_thread(cluster.stop)
                    state = "down"
                elif state == "down" and elapsed >= up_at:
                    await asyncio.to_thread(cluster.start)
                    state = "back"
                if i % 3 == 0:
                    abusive.append(await bot.school.send("daan", bot.room_id, f"{INSULT} nummer {i}"))
                else:
                    await bot.school.send("daan", bot.room_id, f"gewoon een bericht {i}")
                i += 1
                await asyncio.sleep(0.5)
            await eventually(
                lambda: len(bot.incidents()) >= len(abusive) and bot.settled(), timeout=120, what="the backlog"
            )
            assert bot.process.terminate() == 0
        finally:
            bot.process.kill()
        log = bot.process.log()
        found = bot.incidents()
        assert sorted(i.event_id for i in found) == sorted(abusive)  # nothing lost, nothing doubled
        assert all(i.action_status == "done" for i in found)
        assert await bot.redactions() == dict.fromkeys(abusive, 1)
        assert len(await bot.posts_by_bot("daan", bot.direct_room("daan"))) == len(abusive)
        # The outage is told once (and its end), not once per try.
        told = log.count("the database is unreachable") + log.count("a sync batch could not be finished")
        assert 1 <= told <= 3, log[-4000:]
        assert "Traceback" not in log
        print(
            f"\nfault suite, PostgreSQL down {up_at - down_at:.0f}s under a stream of {i} messages "
            f"({len(abusive)} abusive): {len(found)} incidents, {sum((await bot.redactions()).values())} redactions, "
            f"outage told {told} time(s)"
        )
        bot.sessions.kw["bind"].dispose()
