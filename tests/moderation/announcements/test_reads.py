"""Read confirmations ("Gelezen ✓"): the teacher asks for them per announcement (`+gelezen`), each reader counts
once per room, `!gelezen <nummer>` gives the count per room against the room's size, a retracted announcement
stops counting; the store keeps no account, yet an AVG request finds and erases a reader's confirmations, and
retention takes them with their post. The rooms' side is a recording announcer; the queue and the counts are the
real ones on the bot's database."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.app import Core
from bot.relay import build_delivery, build_staff_announcements
from bot.texts.nl import DUTCH
from moderation.announcements.commands import Announce, Reads, When, parse
from moderation.announcements.reads import (
    ReadOutcome,
    UntrackedPost,
    erase_reads,
    export_reads,
    reaction_digest,
    reader_digest,
)
from moderation.announcements.staff import StaffAnnouncements
from moderation.model import Platform
from moderation.privacy.erase import erase_person
from moderation.privacy.export import export_person
from moderation.storage.announcements import (
    AnnouncementLogRow,
    AnnouncementPostRow,
    AnnouncementReadReactionRow,
    AnnouncementReadRow,
)
from tests.support.core import make_core
from tests.support.fakes import FixedClock

SAY = DUTCH.announcements
HINT = "Gelezen? Reageer met ✅ op dit bericht."  # the platform's own line under the post
JAN = "@jan:school.test"
PEOPLE = [
    {"id": "jan", "name": "Meneer Jansen", "role": "staff", "matrix_id": JAN, "discord_id": "900000000000000001"},
    {"id": "eva", "name": "Mevrouw Visser", "role": "staff", "matrix_id": "@eva:school.test"},
    {"id": "sanne", "name": "Sanne", "role": "student", "class": "2B", "mentor": "jan", "matrix_id": "@s:school.test"},
    {"id": "daan", "name": "Daan", "role": "student", "class": "3A", "mentor": "jan", "matrix_id": "@d:school.test"},
]
ROOMS: list[dict[str, Any]] = [
    {"platform": "matrix", "id": "!2b:school.test", "name": "Mededelingen 2B", "kind": "announcement"},
    {"platform": "matrix", "id": "!3a:school.test", "name": "Mededelingen 3A", "kind": "announcement"},
    {"platform": "discord", "id": "42", "name": "mededelingen-2b", "kind": "announcement"},
]


class Rooms:
    """A platform's rooms as the bot sees them: what was posted (and whether it asked for reads), who is in each."""

    def __init__(self, platform: Platform, *, confirms_reads: bool, members: dict[str, list[str]]) -> None:
        self.platform = platform
        self.confirms_reads = confirms_reads
        self.read_hint = HINT if confirms_reads else ""
        self.members = members
        self.posted: dict[str, tuple[str, bool]] = {}  # room → (text, asked for reads)

    async def post(self, room_id: str, text: str, key: str, *, asks_read: bool = False) -> str:
        self.posted[room_id] = (text, asks_read)
        return f"$post-{room_id}"

    async def find_posted(self, room_id: str, text: str) -> str | None:
        return None

    async def edit(self, room_id: str, message_id: str, text: str) -> None:
        self.posted[room_id] = (text, self.posted[room_id][1])

    async def retract(self, room_id: str, message_id: str) -> None:
        del self.posted[room_id]

    async def audience(self, room_id: str, excluding: frozenset[str]) -> int | None:
        return len([m for m in self.members.get(room_id, []) if m not in excluding])


def setup(tmp_path: Path) -> tuple[Core, StaffAnnouncements, Rooms, Rooms]:
    core = make_core(tmp_path, rooms=ROOMS, people=PEOPLE, with_classifier=False)
    core.clock = FixedClock(datetime(2026, 12, 7, 11, 0, tzinfo=UTC))
    matrix = Rooms(
        Platform.MATRIX,
        confirms_reads=True,
        members={"!2b:school.test": [JAN, "@s:school.test", "@x:school.test"], "!3a:school.test": [JAN]},
    )
    discord = Rooms(Platform.DISCORD, confirms_reads=False, members={})
    return core, build_staff_announcements(core, [matrix, discord]), matrix, discord


def code_of(reply: str | None) -> int:
    assert reply is not None
    return int(reply.split("nummer ")[1].split(";")[0])


def test_the_teacher_asks_for_it_in_the_command() -> None:
    assert parse("!mededeling 2b 3a +gelezen: Inleveren vóór vrijdag", SAY) == Announce(
        ("2B", "3A"), "Inleveren vóór vrijdag", asks_read=True
    )
    assert parse("!mededeling +Gelezen 2b: x", SAY) == Announce(("2B",), "x", asks_read=True)
    assert parse("!mededeling +gelezen om 07:30 2b: x", SAY) == Announce(
        ("2B",), "x", When(time(7, 30)), asks_read=True
    )
    assert parse("!mededeling om 07:30 2b +gelezen: x +gelezen", SAY) == Announce(
        ("2B",), "x +gelezen", When(time(7, 30)), asks_read=True
    )
    assert parse("!mededeling 2b: x", SAY) == Announce(("2B",), "x")
    assert parse("!gelezen 41", SAY) == Reads(41)
    assert parse("!gelezen", SAY) == SAY.how_reads()
    assert parse("!gelezen eenenveertig", SAY) == SAY.how_reads()
    assert parse("!mededeling 2b +gelesen: x", SAY) == SAY.unknown_option()  # a typo loses nothing: it is said
    assert "+gelezen" in SAY.how() and "!gelezen <nummer>" in SAY.how()


async def test_each_reader_counts_once_per_room_and_the_sender_sees_the_count(tmp_path: Path) -> None:
    core, staff, matrix, discord = setup(tmp_path)
    reply = await staff.handle(Platform.MATRIX, JAN, "!mededeling 2b 3a +gelezen: Inleveren vóór vrijdag", "$a")
    code = code_of(reply)
    assert reply is not None and reply.endswith(f"Hoeveel het lazen: !gelezen {code}.")
    text = "Mededeling van Meneer Jansen (2B): Inleveren vóór vrijdag"
    assert matrix.posted["!2b:school.test"] == (f"{text}\n{HINT}", True)
    assert discord.posted["42"] == (text, False)  # this platform has no way to confirm
    reads = staff.reads
    assert reads is not None
    post = "$post-!2b:school.test"
    assert reads.confirm(Platform.MATRIX, "!2b:school.test", post, "@s:school.test") is ReadOutcome.COUNTED
    assert reads.confirm(Platform.MATRIX, "!2b:school.test", post, "@s:school.test") is ReadOutcome.ALREADY
    assert reads.confirm(Platform.MATRIX, "!2b:school.test", post, "@x:school.test") is ReadOutcome.COUNTED
    assert reads.confirm(Platform.MATRIX, "!2b:school.test", post, JAN) is ReadOutcome.OWN  # not counted
    assert reads.confirm(Platform.MATRIX, "!3a:school.test", post, "@d:school.test") is ReadOutcome.NOT_ASKED
    assert reads.confirm(Platform.MATRIX, "!2b:school.test", "$other", "@d:school.test") is ReadOutcome.NOT_ASKED
    assert await staff.handle(Platform.MATRIX, JAN, f"!gelezen {code}", "$b") == (
        f"Mededeling {code}:\n2B (matrix): 2 van 2 gelezen\n3A (matrix): 0 van 0 gelezen\n"
        "Niet bijgehouden in: 2B (discord) (daar kan niemand 'gelezen' bevestigen)."
    )
    with core.sessions() as session:  # no account is stored, only a digest per post
        stored = session.scalars(select(AnnouncementReadRow.reader)).all()
        assert len(stored) == 2 and not any("school.test" in r for r in stored)
    assert await staff.handle(Platform.MATRIX, "@eva:school.test", f"!gelezen {code}", "$c") == SAY.reads_not_yours(
        code
    )
    assert await staff.handle(Platform.MATRIX, "@s:school.test", f"!gelezen {code}", "$d") == SAY.not_staff()
    assert await staff.handle(Platform.MATRIX, JAN, "!gelezen 999", "$e") == SAY.not_found(999)

    # An AVG request finds a reader's confirmation from their account and erases it; retention takes the rest.
    with core.sessions.begin() as session:
        post_id = session.scalars(select(AnnouncementPostRow.id).where(AnnouncementPostRow.asks_read)).first()
        assert post_id is not None
        assert reader_digest(post_id, Platform.MATRIX, "@s:school.test") in stored
        sanne = [("matrix", "@s:school.test")]
        assert [r["announcement_post"] for r in export_reads(session, sanne)] == [post_id]
        assert export_reads(session, [("discord", "@s:school.test")]) == []  # another platform's account
        assert erase_reads(session, [("matrix", "@x:school.test")]) == 1  # someone not on the roster
    exported = export_person(core.sessions, "sanne", core.clock.now(), actor="admin")
    assert [r["announcement_post"] for r in exported["announcements_you_confirmed_reading"]] == [post_id]
    assert erase_person(core.sessions, "sanne", core.clock.now(), dry_run=False, actor="admin").reads_removed == 1
    assert [r.read for r in reads.counts(staff_key(core))] == [0, 0]
    with core.sessions() as session:  # the sender's look at the counts is recorded
        viewed = session.scalars(select(AnnouncementLogRow).where(AnnouncementLogRow.action == "viewed")).all()
        assert {(e.actor, e.detail) for e in viewed} == {("jan", "the read counts")}
    clock = core.clock
    assert isinstance(clock, FixedClock)
    clock.advance(days=400)
    await build_delivery(core, staff).tick()  # retention: the posts go, and their confirmations with them
    with core.sessions() as session:
        assert session.scalars(select(AnnouncementReadRow)).all() == []


async def test_an_edit_keeps_asking_and_a_retraction_stops_the_count(tmp_path: Path) -> None:
    _, staff, matrix, _ = setup(tmp_path)
    code = code_of(await staff.handle(Platform.MATRIX, JAN, "!mededeling 2b +gelezen: toets vrijdag", "$a"))
    plain = code_of(await staff.handle(Platform.MATRIX, JAN, "!mededeling 2b: geen gelezen", "$b"))
    reads = staff.reads
    assert reads is not None
    post = "$post-!2b:school.test"
    assert reads.confirm(Platform.MATRIX, "!2b:school.test", post, "@s:school.test") is ReadOutcome.COUNTED
    assert await staff.handle(Platform.MATRIX, JAN, f"!wijzig {code}: toets maandag", "$c") is not None
    assert matrix.posted["!2b:school.test"][0].endswith(f"(gewijzigd): toets maandag\n{HINT}")
    assert await staff.handle(Platform.MATRIX, JAN, f"!gelezen {plain}", "$d") == SAY.reads_not_asked(plain)
    await staff.handle(Platform.MATRIX, JAN, f"!intrekken {code}", "$e")
    assert reads.confirm(Platform.MATRIX, "!2b:school.test", post, "@x:school.test") is ReadOutcome.RETRACTED
    summary = await staff.handle(Platform.MATRIX, JAN, f"!gelezen {code}", "$f")
    assert summary is not None and summary.startswith(f"Mededeling {code} (ingetrokken, er wordt niet meer geteld):")
    assert "2B (matrix): 1 van 2 gelezen" in summary  # what was counted stays readable
    assert SAY.read_reply(ReadOutcome.RETRACTED) == "Deze mededeling is ingetrokken; gelezen wordt niet meer geteld."


async def test_a_reader_who_removes_the_last_reaction_of_theirs_no_longer_counts(tmp_path: Path) -> None:
    core, staff, _, _ = setup(tmp_path)
    code = code_of(await staff.handle(Platform.MATRIX, JAN, "!mededeling 2b +gelezen: toets vrijdag", "$a"))
    reads = staff.reads
    assert reads is not None
    room, post, sanne = "!2b:school.test", "$post-!2b:school.test", "@s:school.test"
    assert reads.confirm(Platform.MATRIX, room, post, sanne, "$check") is ReadOutcome.COUNTED
    assert reads.confirm(Platform.MATRIX, room, post, sanne, "$thumb") is ReadOutcome.ALREADY  # ✅ and 👍
    assert reads.confirm(Platform.MATRIX, room, post, "@x:school.test", "$other") is ReadOutcome.COUNTED
    with core.sessions() as session:  # the reactions are kept as digests, as the readers are
        kept = session.scalars(select(AnnouncementReadReactionRow.reaction)).all()
    assert sorted(kept) == sorted(reaction_digest(Platform.MATRIX, room, r) for r in ("$check", "$thumb", "$other"))
    assert not reads.withdraw(Platform.MATRIX, room, "$check")  # her 👍 still says she read it
    assert [r.read for r in reads.counts(staff_key(core))] == [2]
    assert not reads.withdraw(Platform.MATRIX, room, "$unrelated")  # any other removal changes nothing
    assert not reads.withdraw(Platform.MATRIX, "!3a:school.test", "$thumb")  # the same id in another room is not it
    assert reads.withdraw(Platform.MATRIX, room, "$thumb")  # the last one: her confirmation is withdrawn
    assert not reads.withdraw(Platform.MATRIX, room, "$thumb")  # a redaction seen twice withdraws once
    said = await staff.handle(Platform.MATRIX, JAN, f"!gelezen {code}", "$b")
    assert said is not None and f"Mededeling {code}:\n2B (matrix): 1 van 2 gelezen\n" in said
    with core.sessions() as session:
        reader = reader_digest(staff_post_id(core), Platform.MATRIX, sanne)
        assert reader not in session.scalars(select(AnnouncementReadRow.reader)).all()
        assert session.scalars(select(AnnouncementReadReactionRow.reaction)).all() == [kept[-1]]
    # Taking it back is not final: a new ✅ counts her again.
    assert reads.confirm(Platform.MATRIX, room, post, sanne, "$again") is ReadOutcome.COUNTED
    assert [r.read for r in reads.counts(staff_key(core))] == [2]
    # A confirmation given without a reaction (a button) has nothing to remove, and the erasure takes the reactions.
    with core.sessions.begin() as session:
        assert erase_reads(session, [("matrix", sanne), ("matrix", "@x:school.test")]) == 2
    with core.sessions() as session:
        assert session.scalars(select(AnnouncementReadReactionRow)).all() == []


def staff_post_id(core: Core) -> int:
    with core.sessions() as session:
        post_id = session.scalars(select(AnnouncementPostRow.id).where(AnnouncementPostRow.asks_read)).first()
        assert post_id is not None
        return post_id


def staff_key(core: Core) -> str:
    with core.sessions() as session:
        key = session.scalars(select(AnnouncementPostRow.key)).first()
        assert key is not None
        return key


def test_a_reader_hears_each_outcome_in_words_of_its_own() -> None:
    assert len({SAY.read_reply(o) for o in ReadOutcome}) == len(ReadOutcome)


def setup_on(tmp_path: Path, database_url: str) -> tuple[Core, StaffAnnouncements, Rooms, Rooms]:
    core = make_core(tmp_path, rooms=ROOMS, people=PEOPLE, with_classifier=False, database_url=database_url)
    core.clock = FixedClock(datetime(2026, 12, 7, 11, 0, tzinfo=UTC))
    matrix = Rooms(Platform.MATRIX, confirms_reads=True, members={})
    discord = Rooms(Platform.DISCORD, confirms_reads=True, members={})
    return core, build_staff_announcements(core, [matrix, discord]), matrix, discord


async def test_a_button_pressed_again_takes_the_confirmation_back(tmp_path: Path, database_url: str) -> None:
    core, staff, _, _ = setup_on(tmp_path, database_url)
    await staff.handle(Platform.MATRIX, JAN, "!mededeling 2b +gelezen: toets vrijdag", "$a")
    reads, clock = staff.reads, core.clock
    assert reads is not None and isinstance(clock, FixedClock)
    key, post = staff_key(core), "$post-42"
    assert reads.press(Platform.DISCORD, "42", post, "7") is ReadOutcome.COUNTED
    assert reads.press(Platform.DISCORD, "42", post, "7") is ReadOutcome.ALREADY  # the same click, twice
    clock.advance(seconds=5)
    assert reads.press(Platform.DISCORD, "42", post, "7") is ReadOutcome.WITHDRAWN
    assert [r.read for r in reads.counts(key) if r.platform is Platform.DISCORD] == [0]
    assert reads.press(Platform.DISCORD, "42", post, "7") is ReadOutcome.COUNTED
    assert reads.press(Platform.DISCORD, "42", post, "900000000000000001") is ReadOutcome.OWN  # the teacher's
    assert reads.press(Platform.DISCORD, "42", "$other", "7") is ReadOutcome.NOT_ASKED
    assert [r.read for r in reads.counts(key) if r.platform is Platform.DISCORD] == [1]


async def test_earlier_confirmations_take_their_reactions_from_the_platforms_list(
    tmp_path: Path, database_url: str
) -> None:
    """Confirmations without their reaction on record (given before reactions were kept) are found per post, per
    room and per reader; the post's reactions as the platform lists them now put the ones still there on record and
    withdraw the others; confirmations already followed are left alone."""
    core, staff, _, _ = setup_on(tmp_path, database_url)
    await staff.handle(Platform.MATRIX, JAN, "!mededeling 2b 3a +gelezen: toets vrijdag", "$a")
    reads = staff.reads
    assert reads is not None
    room, post = "!2b:school.test", "$post-!2b:school.test"
    for reader in ("@s:school.test", "@x:school.test", "@d:school.test"):
        assert reads.confirm(Platform.MATRIX, room, post, reader) is ReadOutcome.COUNTED  # the old way
    assert reads.confirm(Platform.MATRIX, room, post, "@y:school.test", "$y") is ReadOutcome.COUNTED  # followed
    assert reads.untracked(Platform.MATRIX) == [UntrackedPost(room, post)]
    assert reads.untracked(Platform.MATRIX, "!3a:school.test") == []
    assert reads.untracked(Platform.MATRIX, room, "@s:school.test") == [UntrackedPost(room, post)]
    assert reads.untracked(Platform.MATRIX, room, "@y:school.test") == []  # hers is on record
    assert reads.untracked(Platform.DISCORD) == []

    now = [("$s1", "@s:school.test"), ("$s2", "@s:school.test"), ("$d", "@d:school.test")]  # @x's and @y's gone
    assert reads.adopt(Platform.MATRIX, room, post, now) == (2, 1)
    assert [r.read for r in reads.counts(staff_key(core)) if r.room_id == room] == [3]
    assert reads.untracked(Platform.MATRIX) == []
    assert reads.adopt(Platform.MATRIX, room, post, now) == (0, 0)  # once is enough
    assert not reads.withdraw(Platform.MATRIX, room, "$s1")  # her 👍 ($s2) still says it
    assert reads.withdraw(Platform.MATRIX, room, "$s2")
    assert reads.withdraw(Platform.MATRIX, room, "$y")  # followed as before
    assert [r.read for r in reads.counts(staff_key(core)) if r.room_id == room] == [1]
    assert reads.adopt(Platform.MATRIX, room, "$unknown", now) == (0, 0)
