"""Read confirmations ("Gelezen ✓") on the bot's own database: how fast presses are counted, how fast the sender's
`!gelezen` is answered, and what an AVG erasure costs, since it computes each stored digest again (the table names
nobody, so it cannot be searched by account). Then what taking a confirmation back costs: a second press of the
button (Discord), and the first start after an upgrade, when every confirmation is one given before reactions were
kept (Matrix): finding their posts, and giving each post's readers their reactions from the homeserver's list.

    .venv/bin/python -m benchmarks.announcement_reads [--rooms 60] [--readers 30] [--history 20000] [--url URL]

One announcement to `rooms` rooms, `readers` confirmations in each (each a separate transaction, as presses come);
then `history` older confirmations are added (a school year's worth) and one person's confirmations are erased;
then one reader per room presses again, and every confirmation is looked up and adopted as at that first start.
Ends with one line: `confirm_ms=<median> counts_ms=<> erase_ms=<> press_again_ms=<median> untracked_ms=<>
adopt_ms=<median per post> rows=<>`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from bot.relay import build_staff_announcements
from moderation.announcements.reads import ReadOutcome, erase_reads, reader_digest
from moderation.model import Platform
from moderation.storage.announcements import AnnouncementPostRow, AnnouncementReadRow
from tests.support.core import make_core
from tests.support.fakes import FixedClock

JAN = "@jan:school.test"


class Rooms:
    platform = Platform.MATRIX
    confirms_reads = True
    read_hint = "Gelezen? Reageer met ✅ op dit bericht."

    async def post(self, room_id: str, text: str, key: str, *, asks_read: bool = False) -> str:
        return f"$post-{room_id}"

    async def find_posted(self, room_id: str, text: str) -> str | None:
        return None

    async def edit(self, room_id: str, message_id: str, text: str) -> None: ...

    async def retract(self, room_id: str, message_id: str) -> None: ...


async def run(rooms: int, readers: int, history: int, url: str | None) -> str:
    settings_rooms: list[dict[str, Any]] = [
        {"platform": "matrix", "id": f"!k{n}:school.test", "name": f"Mededelingen 2B ({n})", "kind": "announcement"}
        for n in range(rooms)
    ]
    people = [{"id": "jan", "name": "Meneer Jansen", "role": "staff", "matrix_id": JAN}]
    people += [
        {"id": f"s{n}", "name": f"S{n}", "role": "student", "class": "2B", "mentor": "jan", "matrix_id": f"@s{n}:x"}
        for n in range(readers)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        core = make_core(Path(tmp), rooms=settings_rooms, people=people, database_url=url, with_classifier=False)
        core.clock = FixedClock(datetime(2026, 12, 7, 11, 0, tzinfo=UTC))
        staff = build_staff_announcements(core, [Rooms()])
        reads = staff.reads
        assert reads is not None
        await staff.handle(Platform.MATRIX, JAN, "!mededeling 2b +gelezen: ouderavond donderdag", "$bench")
        timings: list[float] = []
        for n in range(readers):
            for r in range(rooms):
                started = time.perf_counter()
                reads.confirm(Platform.MATRIX, f"!k{r}:school.test", f"$post-!k{r}:school.test", f"@s{n}:x")
                timings.append(time.perf_counter() - started)
        with core.sessions() as session:
            key = session.scalars(select(AnnouncementPostRow.key)).first()
            post_ids = list(session.scalars(select(AnnouncementPostRow.id)))
        assert key is not None
        started = time.perf_counter()
        counted = reads.counts(key)
        counts_s = time.perf_counter() - started
        assert sum(r.read for r in counted) == rooms * readers
        with core.sessions.begin() as session:  # older confirmations by others, as a year leaves them
            rows = [
                {
                    "post_id": post_ids[n % len(post_ids)],
                    "reader": reader_digest(n, Platform.MATRIX, f"@o{n}:x"),
                    "at": core.clock.now(),
                }
                for n in range(history)
            ]
            if rows:
                session.execute(insert(AnnouncementReadRow), rows)
        started = time.perf_counter()
        with core.sessions.begin() as session:
            erased = erase_reads(session, [("matrix", "@s0:x")])
        erase_s = time.perf_counter() - started
        assert erased == rooms
        core.clock.advance(seconds=5)  # not the same click twice
        again: list[float] = []
        for r in range(rooms):
            started = time.perf_counter()
            outcome = reads.press(Platform.MATRIX, f"!k{r}:school.test", f"$post-!k{r}:school.test", "@s1:x")
            again.append(time.perf_counter() - started)
            assert outcome is ReadOutcome.WITHDRAWN
        started = time.perf_counter()
        untracked = reads.untracked(Platform.MATRIX)
        untracked_s = time.perf_counter() - started
        assert len(untracked) == rooms
        adopting: list[float] = []
        for post in untracked:  # each room's readers still have their check mark
            listed = [(f"$r{n}-{post.room_id}", f"@s{n}:x") for n in range(2, readers)]
            started = time.perf_counter()
            reads.adopt(Platform.MATRIX, post.room_id, post.message_id, listed)
            adopting.append(time.perf_counter() - started)
        core.close()
    total = rooms * readers + history
    return (
        f"confirm_ms={statistics.median(timings) * 1000:.2f} counts_ms={counts_s * 1000:.1f} "
        f"erase_ms={erase_s * 1000:.0f} press_again_ms={statistics.median(again) * 1000:.2f} "
        f"untracked_ms={untracked_s * 1000:.0f} adopt_ms={statistics.median(adopting) * 1000:.1f} rows={total}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rooms", type=int, default=60)
    parser.add_argument("--readers", type=int, default=30)
    parser.add_argument("--history", type=int, default=20_000)
    parser.add_argument("--url", default=None, help="a PostgreSQL URL (default: SQLite in a temporary folder)")
    args = parser.parse_args()
    print(asyncio.run(run(args.rooms, args.readers, args.history, args.url)))


if __name__ == "__main__":
    main()
