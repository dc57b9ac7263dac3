"""A staff member posts one announcement to the announcement rooms of several classes at once, from their private
chat with the bot or the desk's Mededelingen page, now or at a set time, edits it and retracts it everywhere with
one command (see `commands`). What a request would post, and whether the sender may, is the composer's
(`composer.AnnouncementComposer`); this service posts it.

The post names the teacher. The rooms' posts go through the same durable queue as the timetable relay's
(`announcement_posts`), paced by the platforms' own limits; a scheduled post is a row of that queue that is not due
before its moment, so it survives restarts like any other owed post. With `+gelezen` the posts ask readers to
confirm "Gelezen ✓" (`reads`), and `!gelezen <nummer>` gives the sender the count per room.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from moderation.announcements.commands import Announce, Edit, Reads, Retract, parse
from moderation.announcements.composer import AnnouncementComposer
from moderation.announcements.fanout import Fanout, Progress
from moderation.announcements.plan import Plan, WantedPost
from moderation.announcements.ports import Audience, Teller
from moderation.announcements.reads import ReadConfirmations
from moderation.announcements.staff_store import RoomHeader, StaffAnnouncement, StaffRecords
from moderation.announcements.store import AnnouncementPosts
from moderation.model import AccountId, Person, PersonId, Platform, Role
from moderation.ports import Clock, Directory

log = logging.getLogger(__name__)

PROGRESS_FROM = 10  # rooms: a smaller fan-out is over before a progress line would help


@dataclass(frozen=True, slots=True)
class Telling:
    """How the sender hears of progress: through which platform's private chats, and how often during a fan-out."""

    tellers: Mapping[Platform, Teller]
    every_s: float = 5.0
    audiences: Mapping[Platform, Audience] = field(default_factory=dict)  # rooms' sizes, for "14 van 27 gelezen"


class StaffAnnouncements:
    def __init__(
        self,
        composer: AnnouncementComposer,
        posts: AnnouncementPosts,
        records: StaffRecords,
        directory: Callable[[], Directory],
        fanout: Fanout,
        clock: Clock,
        telling: Telling | None = None,
        reads: ReadConfirmations | None = None,
    ) -> None:
        self.composer = composer
        self._say = composer.texts  # the replies say what the composer checked, in the same words and zone
        self._timezone = composer.timezone
        self._posts = posts
        self._records = records
        self._directory = directory
        self._fanout = fanout
        self._clock = clock
        self._telling = telling or Telling({})
        self._reads = reads
        self._background: set[asyncio.Future[Progress]] = set()  # deliveries started for a web page

    @property
    def lock(self) -> asyncio.Lock:
        return self._fanout.lock

    @property
    def fanout(self) -> Fanout:
        return self._fanout

    @property
    def reads(self) -> ReadConfirmations | None:
        return self._reads

    async def handle(self, platform: Platform, account: str, text: str, command_id: str = "") -> str | None:
        """Run a command typed in the sender's private chat with the bot; the reply (None: not a command of ours).
        `command_id` (the platform's id of the command message) makes a replayed command post nothing twice."""
        command = parse(text, self._say)
        if command is None:
            return None
        person = self._directory().person_for(platform, AccountId(account))
        if person is None or person.role is not Role.STAFF:
            return self._say.not_staff()
        if isinstance(command, str):
            return command
        if isinstance(command, Retract):
            return await self.retract(person, command.code)
        if isinstance(command, Edit):
            return await self.edit(person, command, platform, account)
        if isinstance(command, Reads):
            return await self._read_counts(person, command.code)
        unique = f"{platform.value}:{command_id}" if command_id else ""
        return await self.announce(person, command, platform, account, unique)

    async def announce(
        self,
        person: Person,
        command: Announce,
        platform: Platform,
        account: str,
        command_id: str = "",
        *,
        background: bool = False,
    ) -> str:
        """Post `command` for `person` (both front ends come here: the chat's `!mededeling` and the desk's composer);
        the reply in the sender's words. `platform`/`account`: where the sender hears of progress. `background`:
        deliver beside the caller instead of waiting for the last room (a web page answers at once)."""
        prepared = self.composer.prepare(person, command)
        if isinstance(prepared, str):
            return prepared
        now = self._clock.now()
        unique = hashlib.sha256(command_id.encode()).hexdigest()[:16] if command_id else secrets.token_hex(8)
        key = f"staff:{unique}"
        known = self._records.get(key)
        if known is not None:  # a replayed command: answered as it stands, nothing sent again
            code = self._posts.first_id(key)
            if known.due_at is not None and known.due_at > now:
                return self._say.scheduled(self._say.moment(known.due_at, self._timezone), len(known.rooms), code)
            return self._outcome(key, code, Progress())
        rooms, due, asking = list(prepared.rooms), prepared.due, set(prepared.asking)
        plan = self._plan(key, rooms, command.text, due, now, edited=False, asking=asking)
        self._posts.apply(
            plan,
            now,
            author=person.id,
            also=lambda session: self._records.add_in(
                session,
                key,
                author=person.id,
                platform=platform,
                account=account,
                classes=" ".join(command.classes),
                text=command.text,
                rooms=rooms,
                due_at=due,
                now=now,
            ),
        )
        code = self._posts.first_id(key)
        lines: list[str] = []
        if due is not None:
            lines.append(self._say.scheduled(self._say.moment(due, self._timezone), len(rooms), code))
        elif background and not self._delivered_here(rooms):
            lines.append(self._say.queued(len(rooms), code))
        elif background:
            task = asyncio.ensure_future(self._fanout.deliver())
            self._background.add(task)
            task.add_done_callback(self._background.discard)
            lines.append(self._say.progress(0, len(rooms)))
        else:
            progress = await self._deliver_telling(key, platform, account)
            lines.append(self._outcome(key, code, progress))
        if prepared.refused:
            lines.append(self._say.refused_rooms(prepared.refused))
        if asking:
            lines.append(self._say.reads_hint(code))
        lines.append(self._nobody_delivers(rooms))
        return " ".join(line for line in lines if line)

    def _delivered_here(self, rooms: Sequence[RoomHeader]) -> bool:
        """Whether this process posts in every one of these rooms' platforms (a desk on its own posts nowhere:
        what it queues, the bot's `run` process sends)."""
        return {r.platform for r in rooms} <= set(self._fanout.delivering())

    def _nobody_delivers(self, rooms: Sequence[RoomHeader]) -> str:
        """A warning when no process delivers on some of these rooms' platforms now (the queue keeps it)."""
        lease = self._fanout.lease
        if lease is None:
            return ""
        now, here = self._clock.now(), set(self._fanout.delivering())
        idle = sorted(
            {r.platform.value for r in rooms if r.platform not in here and not lease.someone_delivers(r.platform, now)}
        )
        if idle:
            log.warning("announcements: queued for %s, where no process delivers now", ", ".join(idle))
        return self._say.nobody_delivers(idle) if idle else ""

    def _plan(
        self,
        key: str,
        rooms: list[RoomHeader] | tuple[RoomHeader, ...],
        body: str,
        due: datetime | None,
        now: datetime,
        *,
        edited: bool,
        asking: set[tuple[Platform, str]],
    ) -> Plan:
        """`asking`: the rooms whose post asks for "Gelezen ✓" (with the platform's hint under the text)."""
        wanted = tuple(
            WantedPost(
                key,
                room.platform,
                room.room_id,
                self._say.post_text(
                    room.header,
                    body,
                    edited=edited,
                    read_hint=self.composer.read_hint(room.platform) if (room.platform, room.room_id) in asking else "",
                ),
                "1",
                due or now,
                not_before=due,
                asks_read=(room.platform, room.room_id) in asking,
            )
            for room in rooms
        )
        return Plan(wanted, frozenset(), now, now, prefix=key)

    def _outcome(self, key: str, code: int | None, progress: Progress) -> str:
        places = self._posts.places(key)
        done = sum(1 for *_, status in places if status == "done")
        lines = [self._say.sent(done, len(places), code)]
        if progress.held:
            lines.append(self._say.quiet_now())
        elif done < len(places) and not self._fanout.delivering():
            lines.append(self._say.elsewhere())
        elif done < len(places):
            lines.append(self._say.failed_rooms(self._labels(key, places)))
            lines.append(self._say.retry_later())
        return " ".join(line for line in lines if line)

    def _labels(self, key: str, places: list[tuple[str, str, str | None, str]]) -> list[str]:
        """The classes (and platform) of the rooms where the announcement did not arrive yet."""
        record = self._records.get(key)
        names = {(r.platform.value, r.room_id): r.classes for r in record.rooms} if record is not None else {}
        return [
            f"{names.get((platform, room_id), room_id)} ({platform})"
            for platform, room_id, _, status in places
            if status != "done"
        ]

    async def _deliver_telling(self, key: str, platform: Platform, account: str) -> Progress:
        """Deliver now; on a large fan-out the sender hears every few seconds how far it is."""
        delivery = asyncio.ensure_future(self._fanout.deliver())
        teller = self._telling.tellers.get(platform)
        total = len(self._posts.places(key))
        told = -1
        while teller is not None and total >= PROGRESS_FROM:
            finished, _ = await asyncio.wait({delivery}, timeout=self._telling.every_s)
            if finished:
                break
            done = sum(1 for *_, status in self._posts.places(key) if status == "done")
            if done != told:
                told = done
                await self._tell(teller, account, self._say.progress(done, total))
        return await delivery

    async def _tell(self, teller: Teller, account: str, text: str) -> None:
        try:
            await teller.tell(account, text)
        except Exception as exc:  # the sender not hearing of progress must not stop the delivery
            log.warning("announcements: could not tell %s: %s: %s", account, type(exc).__name__, exc)

    async def _owned(self, person: Person, code: int, verb: str) -> StaffAnnouncement | str:
        key = self._posts.key_of(code)
        record = self._records.get(key) if key is not None else None
        if record is None and key is not None and verb == "intrekken":
            record = self._unrecorded(key)  # posted before announcements were recorded on their own
        if record is None:
            return self._say.not_found(code)
        if record.author != person.id and not person.is_leadership:
            return self._say.not_yours(code, retract=verb == "intrekken")
        if record.retracted:
            return self._say.already_retracted(code)
        return record

    def _unrecorded(self, key: str) -> StaffAnnouncement | None:
        places = self._posts.places(key)
        if not places or places[0][2] is None:
            return None
        platform = Platform(places[0][0])
        return StaffAnnouncement(key, places[0][2], platform, "", "", (), None, retracted=False)

    async def edit(self, person: Person, command: Edit, platform: Platform, account: str) -> str:
        if person.role is not Role.STAFF:
            return self._say.not_staff()
        record = await self._owned(person, command.code, "wijzigen")
        if isinstance(record, str):
            return record
        now = self._clock.now()
        asking = self._posts.asking_read(record.key)
        plan = self._plan(record.key, record.rooms, command.text, record.due_at, now, edited=True, asking=asking)
        self._posts.apply(
            plan,
            now,
            author=record.author,
            actor=person.id,
            also=lambda session: self._records.edited_in(session, record.key, command.text, person.id, now),
        )
        if record.due_at is not None and record.due_at > now:
            return self._say.edited_scheduled(command.code)
        if not self._delivered_here(record.rooms):
            return " ".join(t for t in (self._say.edit_queued(command.code), self._nobody_delivers(record.rooms)) if t)
        await self._deliver_telling(record.key, platform, account)
        places = self._posts.places(record.key)
        done = sum(1 for *_, status in places if status == "done")
        return self._say.edited(command.code, done, len(places))

    async def retract(self, person: Person, code: int) -> str:
        if person.role is not Role.STAFF:
            return self._say.not_staff()
        record = await self._owned(person, code, "intrekken")
        if isinstance(record, str):
            return record
        now = self._clock.now()
        self._posts.apply(
            Plan((), frozenset({record.key}), now, now, prefix=record.key),
            now,
            actor=person.id,
            also=lambda session: self._records.retracted_in(session, record.key, person.id, now),
        )
        if record.rooms and not self._delivered_here(record.rooms):
            return " ".join(t for t in (self._say.retract_queued(code), self._nobody_delivers(record.rooms)) if t)
        await self._fanout.deliver()
        left = sum(1 for *_, status in self._posts.places(record.key) if status != "done")
        return self._say.retracting(code, left) if left else self._say.retracted(code)

    async def _read_counts(self, person: Person, code: int) -> str:
        """How many confirmed "Gelezen ✓", per room: "2B (discord): 14 van 27 gelezen"."""
        key = self._posts.key_of(code)
        record = self._records.get(key) if key is not None else None
        if record is None or key is None:
            return self._say.not_found(code)
        if record.author != person.id and not person.is_leadership:
            return self._say.reads_not_yours(code)
        counts = self._reads.counts(key) if self._reads is not None else []
        if not counts:
            return self._say.reads_not_asked(code)
        labels = {(r.platform, r.room_id): f"{r.classes} ({r.platform.value})" for r in record.rooms}
        sender = self._directory().person(PersonId(record.author))
        lines: list[str] = []
        for room in counts:
            audience = self._telling.audiences.get(room.platform)
            mine = frozenset(
                a.id for a in (sender.accounts if sender is not None else ()) if a.platform is room.platform
            )
            size = await self._audience(audience, room.room_id, mine) if audience is not None else None
            label = labels.get((room.platform, room.room_id), room.room_id)
            lines.append(self._say.reads_room(label, room.read, size))
        self._posts.log_view(key, person.id, self._clock.now(), "the read counts")
        counted = {(r.platform, r.room_id) for r in counts}
        untracked = [label for place, label in labels.items() if place not in counted]
        return self._say.reads_summary(code, lines, retracted=record.retracted, untracked=untracked)

    async def _audience(self, audience: Audience, room_id: str, excluding: frozenset[str]) -> int | None:
        try:
            return await audience.audience(room_id, excluding)
        except Exception as exc:  # the count still helps without the room's size
            log.warning("announcements: the size of room %s is unknown: %s: %s", room_id, type(exc).__name__, exc)
            return None

    async def report_due(self) -> int:
        """Tell each sender of a scheduled announcement whose moment has passed how it went (once); the number
        told. Only for platforms this process delivers on, so two processes do not both tell."""
        delivering = set(self._fanout.delivering())
        told = 0
        for record in self._records.unreported(self._clock.now()):
            if not {r.platform for r in record.rooms} <= delivering:
                continue
            if self._posts.untried(record.key):
                continue  # not yet due here, or held by the quiet hours
            places = self._posts.places(record.key)
            done = sum(1 for *_, status in places if status == "done")
            code = self._posts.first_id(record.key) or 0
            teller = self._telling.tellers.get(record.platform)
            if teller is not None:
                said = self._say.scheduled_done(code, done, len(places), self._labels(record.key, places))
                if self._posts.asking_read(record.key):
                    said += " " + self._say.reads_hint(code)
                await self._tell(teller, record.account, said)
            self._records.reported(record.key, self._clock.now())
            told += 1
        return told
