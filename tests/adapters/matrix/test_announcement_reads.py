"""Read confirmations ("Gelezen ✓") on the real Synapse: with `read_reactions`, announcement rooms take reactions
(power levels), a teacher's `!mededeling 2b +gelezen: …` shows how to confirm and carries the bot's own ✅; a
student's ✅ on it counts once and stays, any other reaction is removed quietly (R10: no notice, nothing to review);
`!gelezen` gives the count
against the room's members. (The commands come in through `staff.handle`, as the teacher's direct room hands them
over; that path is tested with the other announcement commands.)"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import select

from adapters.matrix.translate import READ_KEY
from bot.app import Core
from bot.relay import attach_staff_commands
from moderation.announcements.reads import ConfirmRead, ReadConfirmations, ReadOutcome
from moderation.announcements.staff import StaffAnnouncements
from moderation.model import IncidentStatus, Platform
from moderation.storage.announcements import AnnouncementPostRow, AnnouncementReadReactionRow
from moderation.storage.incidents import OutboxRow
from tests.adapters.matrix.helpers import School, eventually, is_redacted, room, seen_redacted
from tests.adapters.matrix.test_announcer import leave
from tests.adapters.matrix.test_rooms import by_category
from tests.adapters.matrix.test_unjudged_content import stable_poll
from tests.support.synapse import MatrixHTTPError

pytestmark = pytest.mark.synapse


def annotation(event_id: str, key: str) -> dict[str, object]:
    return {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}}


async def test_by_default_students_may_react_and_take_their_reaction_back_but_post_nothing(
    school: School, tmp_path: Path, store_dir: Path
) -> None:
    """`read_reactions` is on unless a school turns it off (Discord's button is always there). The homeserver itself
    then lets a student send a reaction and redact their own, and refuses every other way to post (R10): a message,
    a sticker, a poll, a change of the room, a redaction of the teacher's post or of another student's reaction."""
    made = await school.create_room("jan", members=("sanne", "daan"), levels={"bot": 100})
    core = school.make_core(tmp_path, [room(made, "announcement", name="Mededelingen 2B")])
    adapter = school.adapter(core, store_dir)
    assert adapter.config.read_reactions
    staff = attach_staff_commands(core, [adapter])
    assert staff is not None
    try:
        await adapter.start(core.moderator)
        try:
            levels = await school.power_levels("jan", made)
            assert levels["events_default"] == 50 and levels["redact"] >= 50
            assert levels["events"]["m.reaction"] == levels["events"]["m.room.redaction"] == 0
            assert await staff.handle(Platform.MATRIX, school.uid("jan"), "!mededeling 2b +gelezen: Toets", "$c1")
            timeline = await school.timeline("sanne", made, limit=20)
            [post] = [
                e["event_id"] for e in timeline if e["sender"] == school.uid("bot") and e["type"] == "m.room.message"
            ]
            hers = await school.send_event("sanne", made, "m.reaction", annotation(post, READ_KEY))
            his = await school.send_event("daan", made, "m.reaction", annotation(post, READ_KEY))
            refused: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
                ("a message", lambda: school.send("sanne", made, "mag ik ook iets zeggen?")),
                ("a sticker", lambda: school.send_event("sanne", made, "m.sticker", {"body": "x", "url": "mxc://x/y"})),
                (
                    "a poll",
                    lambda: school.send_event("sanne", made, "m.poll.start", stable_poll("wie?", ["ik", "jij"])),
                ),
                ("the topic", lambda: school.api("sanne", "PUT", state_path(made, "m.room.topic"), {"topic": "open"})),
                ("the teacher's post", lambda: school.redact("sanne", made, post)),
                ("his reaction", lambda: school.redact("sanne", made, his)),
            ]
            for what, attempt in refused:
                with pytest.raises(MatrixHTTPError) as refusal:
                    await attempt()
                assert refusal.value.status == 403, what
            await school.redact("sanne", made, hers)  # her own reaction: allowed
            assert is_redacted(await school.event("sanne", made, hers))
            assert not is_redacted(await school.event("sanne", made, post))
        finally:
            assert staff.fanout.lease is not None
            staff.fanout.lease.release()
            await adapter.stop()
            core.close()
    finally:
        await leave(school, [made], ("sanne", "daan", "bot", "jan"))


def state_path(room_id: str, event_type: str) -> str:
    return f"/_matrix/client/v3/rooms/{quote(room_id)}/state/{event_type}/"


async def test_a_students_check_mark_counts_once_and_another_reaction_is_removed_quietly(
    school: School, tmp_path: Path, store_dir: Path
) -> None:
    made = await school.create_room("jan", members=("sanne",), levels={"bot": 100})
    core = school.make_core(tmp_path, [room(made, "announcement", name="Mededelingen 2B")])
    adapter = school.adapter(core, store_dir, read_reactions=True)
    staff = attach_staff_commands(core, [adapter])
    assert staff is not None and staff.reads is not None
    try:
        await adapter.start(core.moderator)
        try:
            assert (await school.power_levels("jan", made))["events"]["m.reaction"] == 0
            reply = await staff.handle(Platform.MATRIX, school.uid("jan"), "!mededeling 2b +gelezen: Ouderavond", "$c1")
            assert reply is not None
            code = reply.split("nummer ")[1].split(";")[0]
            assert reply.endswith(f"Hoeveel het lazen: !gelezen {code}.")
            timeline = await school.timeline("sanne", made, limit=20)
            [post] = [e for e in timeline if e["sender"] == school.uid("bot") and e["type"] == "m.room.message"]
            hint = f"Gelezen? Reageer met {READ_KEY} op dit bericht."
            assert post["content"]["body"] == f"Mededeling van Meneer Jansen (2B): Ouderavond\n{hint}"
            [own] = [e for e in timeline if e["sender"] == school.uid("bot") and e["type"] == "m.reaction"]
            assert own["content"]["m.relates_to"] == annotation(post["event_id"], READ_KEY)["m.relates_to"]

            confirmed = await school.send_event("sanne", made, "m.reaction", annotation(post["event_id"], "✔️"))
            again = await school.send_event("sanne", made, "m.reaction", annotation(post["event_id"], READ_KEY))
            rude = await school.send_event("sanne", made, "m.reaction", annotation(post["event_id"], "🖕"))
            await eventually(lambda: seen_redacted(school, made, rude), what="the other reaction to be removed")
            [removal] = await eventually(by_category(core, "announcement-only"), what="the R10 removal recorded")
            assert removal.event_id == rude and removal.status is IncidentStatus.RESOLVED  # nobody reviews it
            with core.sessions() as session:  # removed, and that is all: no notice, no card
                owed = session.scalars(select(OutboxRow.kind).where(OutboxRow.incident_id == removal.id)).all()
            assert owed == ["delete"]
            for kept in (confirmed, again):  # the confirmations stay, and count once
                assert not is_redacted(await school.event("sanne", made, kept))
            with core.sessions() as session:
                key = session.scalars(select(AnnouncementPostRow.key)).one()
            assert [r.read for r in staff.reads.counts(key)] == [1]
            # The room's readers: sanne (the bot and the teacher left out).
            assert await staff.handle(Platform.MATRIX, school.uid("jan"), f"!gelezen {code}", "$c2") == (
                f"Mededeling {code}:\n2B (matrix): 1 van 1 gelezen"
            )
        finally:
            assert staff.fanout.lease is not None
            staff.fanout.lease.release()
            await adapter.stop()
            core.close()
    finally:
        await leave(school, [made], ("sanne", "bot", "jan"))


async def test_a_student_who_takes_back_her_check_mark_no_longer_counts(
    school: School, tmp_path: Path, store_dir: Path
) -> None:
    """Removing a ✅ is a redaction of one's own reaction: the read confirmation it carried is withdrawn, unless
    another reaction of hers still says "gelezen"; a new ✅ counts her again."""
    made = await school.create_room("jan", members=("sanne", "daan"), levels={"bot": 100})
    core = school.make_core(tmp_path, [room(made, "announcement", name="Mededelingen 2B")])
    adapter = school.adapter(core, store_dir, read_reactions=True)
    staff = attach_staff_commands(core, [adapter])
    assert staff is not None and staff.reads is not None
    reads = staff.reads
    try:
        await adapter.start(core.moderator)
        try:
            reply = await staff.handle(Platform.MATRIX, school.uid("jan"), "!mededeling 2b +gelezen: Toets", "$c1")
            assert reply is not None
            code = reply.split("nummer ")[1].split(";")[0]
            timeline = await school.timeline("sanne", made, limit=20)
            [post] = [
                e["event_id"] for e in timeline if e["sender"] == school.uid("bot") and e["type"] == "m.room.message"
            ]
            with core.sessions() as session:
                key = session.scalars(select(AnnouncementPostRow.key)).one()

            def read() -> int:
                return sum(r.read for r in reads.counts(key))

            check = await school.send_event("sanne", made, "m.reaction", annotation(post, READ_KEY))
            thumb = await school.send_event("sanne", made, "m.reaction", annotation(post, "👍"))
            await school.send_event("daan", made, "m.reaction", annotation(post, READ_KEY))
            await eventually(lambda: read() == 2, what="both students counted")

            await school.redact("sanne", made, check)
            # Events are handled in the room's order: once a later one is, the redaction before it was too.
            probe = await school.send_event("daan", made, "m.reaction", annotation(post, "🖕"))
            await eventually(lambda: seen_redacted(school, made, probe), what="the later reaction handled")
            assert read() == 2  # her 👍 still says she read it

            await school.redact("sanne", made, thumb)
            await eventually(lambda: read() == 1, what="her confirmation withdrawn")
            assert await staff.handle(Platform.MATRIX, school.uid("jan"), f"!gelezen {code}", "$c2") == (
                f"Mededeling {code}:\n2B (matrix): 1 van 2 gelezen"
            )
            await school.send_event("sanne", made, "m.reaction", annotation(post, READ_KEY))
            await eventually(lambda: read() == 2, what="a new check mark counted again")
        finally:
            assert staff.fanout.lease is not None
            staff.fanout.lease.release()
            await adapter.stop()
            core.close()
    finally:
        await leave(school, [made], ("sanne", "daan", "bot", "jan"))


def the_old_way(reads: ReadConfirmations) -> ConfirmRead:
    """How confirmations were recorded before their reactions were kept: without the reaction's id."""

    def confirm(platform: Platform, room_id: str, message_id: str, account: str, reaction: str = "") -> ReadOutcome:
        return reads.confirm(platform, room_id, message_id, account)

    return confirm


def reactions_on_record(core: Core) -> int:
    with core.sessions() as session:
        return len(session.scalars(select(AnnouncementReadReactionRow.id)).all())


async def announce_asking(school: School, core: Core, staff: StaffAnnouncements, made: str) -> tuple[str, str]:
    """The teacher's announcement that asks "Gelezen ✓": (its key, its event id)."""
    assert await staff.handle(Platform.MATRIX, school.uid("jan"), "!mededeling 2b +gelezen: Excursie", "$c1")
    timeline = await school.timeline("sanne", made, limit=20)
    [post] = [e["event_id"] for e in timeline if e["sender"] == school.uid("bot") and e["type"] == "m.room.message"]
    with core.sessions() as session:
        key = session.scalars(select(AnnouncementPostRow.key)).one()
    return key, post


async def test_an_earlier_confirmation_is_withdrawn_when_its_check_mark_is_taken_back(
    school: School, tmp_path: Path, store_dir: Path
) -> None:
    """A ✅ counted before reactions were kept has no reaction on record; when the reader takes it back, the
    homeserver's list of the post's reactions shows hers is gone, and she no longer counts. The other readers'
    earlier ✅ are put on record on the way, so their removal is followed from then on."""
    made = await school.create_room("jan", members=("sanne", "daan"), levels={"bot": 100})
    core = school.make_core(tmp_path, [room(made, "announcement", name="Mededelingen 2B")])
    adapter = school.adapter(core, store_dir)
    staff = attach_staff_commands(core, [adapter])
    assert staff is not None and staff.reads is not None
    reads = staff.reads
    adapter.read_confirmations = the_old_way(reads)
    try:
        await adapter.start(core.moderator)
        try:
            key, post = await announce_asking(school, core, staff, made)

            def read() -> int:
                return sum(r.read for r in reads.counts(key))

            hers = await school.send_event("sanne", made, "m.reaction", annotation(post, READ_KEY))
            his = await school.send_event("daan", made, "m.reaction", annotation(post, "✔️"))
            await eventually(lambda: read() == 2, what="both counted the old way")
            assert reactions_on_record(core) == 0

            await school.redact("sanne", made, hers)
            await eventually(lambda: read() == 1, what="her earlier confirmation withdrawn")
            assert reactions_on_record(core) == 1  # his, found on the homeserver
            await school.redact("daan", made, his)
            await eventually(lambda: read() == 0, what="his withdrawn as any other")
        finally:
            assert staff.fanout.lease is not None
            staff.fanout.lease.release()
            await adapter.stop()
            core.close()
    finally:
        await leave(school, [made], ("sanne", "daan", "bot", "jan"))


async def test_at_start_earlier_confirmations_get_their_check_marks_or_are_withdrawn(
    school: School, tmp_path: Path, store_dir: Path
) -> None:
    """Before reactions were kept, taking a ✅ back changed nothing. At the first start after, each earlier
    confirmation is checked against the post's reactions on the homeserver: one whose ✅ is still there gets it on
    record, one whose ✅ was taken back is withdrawn. A post whose reactions cannot be listed keeps its count."""
    made = await school.create_room("jan", members=("sanne", "daan"), levels={"bot": 100})
    core = school.make_core(tmp_path, [room(made, "announcement", name="Mededelingen 2B")])
    before = school.adapter(core, store_dir)
    staff = attach_staff_commands(core, [before])
    assert staff is not None and staff.reads is not None
    reads = staff.reads
    before.read_confirmations, before.read_withdrawals, before.untracked_reads = the_old_way(reads), None, None
    try:
        await before.start(core.moderator)
        try:
            key, post = await announce_asking(school, core, staff, made)

            def read() -> int:
                return sum(r.read for r in reads.counts(key))

            hers = await school.send_event("sanne", made, "m.reaction", annotation(post, READ_KEY))
            await school.send_event("daan", made, "m.reaction", annotation(post, READ_KEY))
            await eventually(lambda: read() == 2, what="both counted the old way")
            await school.redact("sanne", made, hers)
            probe = await school.send_event("daan", made, "m.reaction", annotation(post, "🖕"))
            await eventually(lambda: seen_redacted(school, made, probe), what="the redaction handled")
            assert read() == 2  # as it was then: taking it back changed nothing
        finally:
            await before.stop()
        with core.sessions.begin() as session:  # and a post whose event the homeserver does not know
            lost = session.scalars(select(AnnouncementPostRow)).one()
            ghost = AnnouncementPostRow(
                **{c: getattr(lost, c) for c in ("source", "author", "platform", "room_id", "version", "text")},
                key="staff:ghost",
                wanted="posted",
                message_id="$not-an-event-here",
                posted_text=lost.text,
                status="done",
                next_try_at=lost.next_try_at,
                starts_at=lost.starts_at,
                created_at=lost.created_at,
                updated_at=lost.updated_at,
                asks_read=True,
            )
            session.add(ghost)
        assert reads.confirm(Platform.MATRIX, made, "$not-an-event-here", school.uid("daan")) is ReadOutcome.COUNTED

        after = school.adapter(core, store_dir)
        attach_staff_commands(core, [after])
        await after.start(core.moderator)
        try:
            assert read() == 1  # at start: hers withdrawn, his on record
            assert reactions_on_record(core) == 1
            assert [r.read for r in reads.counts("staff:ghost")] == [1]  # could not be listed: left as it was
        finally:
            assert staff.fanout.lease is not None
            staff.fanout.lease.release()
            await after.stop()
            core.close()
    finally:
        await leave(school, [made], ("sanne", "daan", "bot", "jan"))
