"""The Moderator: every message, member change, report and room event of every platform goes through it.

early exits -> room policy -> every rule (judge.py, each isolated) -> strongest verdict -> one incident with its
reviewers (incidents/routing.py) and its owed actions -> the actions, through the platform's Enforcer (actions.py)
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace

from moderation.actions import ActionRunner, owed_actions
from moderation.back_off import BackOff
from moderation.database_wait import DatabaseWait
from moderation.incidents.report_key import report_key
from moderation.incidents.routing import route
from moderation.judge import Judge
from moderation.model import (
    AccountId,
    Action,
    Category,
    EventId,
    MemberChange,
    Message,
    Person,
    PersonId,
    Platform,
    PrivateRoom,
    Role,
    Room,
    RoomId,
    RoomKind,
    Verdict,
)
from moderation.policy import PolicyBook, RoomPolicy
from moderation.ports import (
    Classifier,
    Clock,
    Directory,
    Enforcer,
    IncidentDraft,
    IncidentRef,
    IncidentStore,
    MediaScanner,
    Metrics,
    NoMetrics,
    Outbox,
)
from moderation.rules import REPORT, ROOM_SETTINGS
from moderation.rules.base import MemberContext, MemberRule, RoomContext, RoomRule, Rule
from moderation.texts import Texts

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Outcome:
    verdict: Verdict | None
    incident: IncidentRef | None = None
    actions: tuple[Action, ...] = ()
    duplicate: bool = False  # the event was handled before (a replay): nothing was done again
    skipped: str | None = None  # why the message was not judged


class Stopping(RuntimeError):
    """The bot is stopping: no new event is taken. The adapter leaves the event for the next start (Matrix does
    not move its sync position past it)."""


class Moderator:
    def __init__(
        self,
        *,
        policies: PolicyBook,
        rules: Sequence[Rule],
        directory: Directory,
        store: IncidentStore,
        outbox: Outbox,
        clock: Clock,
        classifier: Classifier | None = None,
        bot_accounts: frozenset[tuple[Platform, AccountId]] = frozenset(),
        unconfigured_rooms: RoomKind | None = RoomKind.STUDENT_RUN,
        dry_run: bool = False,
        store_retry_delay: float = 0.5,
        one_writer: bool = False,
        checkpoint: Callable[[str], None] = lambda _step: None,
        report_secret: bytes | None = None,
        member_rules: Sequence[MemberRule] = (),
        official_names: Sequence[str] = (),
        media_scanner: MediaScanner | None = None,
        room_rules: Sequence[RoomRule] = (),
        one_to_one_exceptions: Sequence[str] = (),
        delivery_workers: Mapping[Platform, int] | None = None,
        done_mark_interval: float = 0.05,
        card_burst: float = 0.0,
        critical_wait: float = 0.0,
        notice_burst: float = 0.0,
        back_offs: Mapping[Platform, BackOff] | None = None,
        texts: Texts,
        metrics: Metrics | None = None,
    ) -> None:
        self.texts = texts  # what people read in chat (cards, answers), for the adapters' hands
        # The installation's secret for report keys (bot/app.py passes it); a process of its own without one.
        self._report_secret = report_secret if report_secret is not None else secrets.token_bytes(32)
        self._policies = policies
        self._judge = Judge(rules, classifier, member_rules, media_scanner, room_rules, notices=texts.notices)
        self._one_to_one_exceptions = frozenset(
            e.strip().casefold() if "/" in e else e.strip() for e in one_to_one_exceptions
        )
        self._official_names = tuple(official_names)
        self._directory = directory
        self._store = store
        self._clock = clock
        self._bot_accounts = bot_accounts
        self._unconfigured = unconfigured_rooms  # None: messages in rooms not in the config are ignored
        self._dry_run = dry_run
        self._checkpoint = checkpoint  # called after each step; the fault tests end the process there
        self._wait = DatabaseWait(store_retry_delay, one_writer=one_writer)  # one_writer: SQLite
        self._metrics = metrics or NoMetrics()
        # delivery_workers, per platform: this many workers deliver its notices and cards, off the message path (the
        # delete stays on it). A platform without any has every action done before handle() returns.
        self._actions = ActionRunner(
            outbox,
            clock,
            self._wait,
            checkpoint=checkpoint,
            delivery_workers=delivery_workers or {},
            metrics=self._metrics,
            mark_interval=done_mark_interval,  # the workers' done marks wait this long for others to join them
            card_burst=card_burst,  # a viewer's cards within this many seconds go as one combined card
            critical_wait=critical_wait,  # the workers hold back this long at most while a deletion is in flight
            notice_burst=notice_burst,  # a person's notices within this many seconds go as one notice
            back_offs=back_offs,  # per platform: how many deliveries at once, from its deletions' round-trips
        )
        self._accepting = True
        self._in_hand = 0
        self._idle: asyncio.Event | None = None

    # -- the message path -------------------------------------------------------------------------------------

    async def handle(self, message: Message, enforcer: Enforcer) -> Outcome:
        with self._taking():
            return await self._handle(message, enforcer)

    async def _handle(self, message: Message, enforcer: Enforcer) -> Outcome:
        if (message.platform, message.author) in self._bot_accounts:
            return Outcome(verdict=None, skipped="the bot's own message")
        policy = self.policy_for(message.platform, message.room_id)
        if policy is None:
            return Outcome(verdict=None, skipped=f"room {message.room_id} is not configured")
        author = self._directory.person_for(message.platform, message.author)
        started = time.perf_counter()
        verdict = await self._judge.judge(message, policy, author)
        took = time.perf_counter() - started
        judged = verdict.category.value if verdict is not None else "clean"
        self._metrics.judged(message.platform.value, judged, self._judge.tier, took)
        if verdict is None:
            return Outcome(verdict=None)
        return await self._act(message, verdict, policy, author, enforcer, reported_by=None)

    # -- who is in a room, under which name --------------------------------------------------------------------

    async def handle_member(self, change: MemberChange, enforcer: Enforcer) -> Outcome:
        """Someone joined a room, was found in it at start, or changed their name (R7 fictitious senders, R10 staff
        in student-run rooms). One incident per change key, so a restart that finds the same member records nothing
        new."""
        with self._taking():
            if (change.platform, change.account) in self._bot_accounts:
                return Outcome(verdict=None, skipped="the bot itself")
            policy = self._policies.get(change.platform, change.room_id)
            if policy is None and change.platform is not Platform.DISCORD:
                # A profile rename reaches every room the person is in; only the configured rooms are watched.
                return Outcome(verdict=None, skipped=f"room {change.room_id} is not configured")
            member = self._directory.person_for(change.platform, change.account)
            context = MemberContext(
                policy, member, self._directory.staff(), self._official_names, notices=self.texts.notices
            )
            verdict = self._judge.judge_member(change, context)
            if verdict is None:
                return Outcome(verdict=None)
            # The incident's excerpt is the name itself: that is what the reviewer must see.
            message = Message(
                platform=change.platform,
                room_id=change.room_id,
                event_id=change.event_id,
                author=change.account,
                text=change.display_name,
                sent_at=change.at,
                author_name=change.display_name,
            )
            where = Room(change.platform, change.room_id, str(change.room_id), RoomKind.CLASS)
            room = policy or RoomPolicy(room=where)
            return await self._act(message, verdict, room, member, enforcer, reported_by=None)

    async def handle_private_room(self, room: PrivateRoom, enforcer: Enforcer) -> Outcome:
        """A room seen from the homeserver's side (R9): who is in it together, never what they said. One incident
        per room, however often it is looked at."""
        with self._taking():
            people = [self._directory.person_for(room.platform, account) for account in room.members]
            verdict = self._judge.judge_room(room, RoomContext(people, self._one_to_one_exceptions))
            if verdict is None:
                return Outcome(verdict=None)
            message = Message(
                room.platform, room.room_id, EventId(f"one-to-one:{room.room_id}"), AccountId(""), "", room.seen_at
            )
            where = RoomPolicy(room=Room(room.platform, room.room_id, str(room.room_id), RoomKind.STAFF_RUN))
            staff = next((p for p in people if p is not None and p.role is Role.STAFF), None)
            return await self._act(message, verdict, where, staff, enforcer, reported_by=None)

    # -- reports and room events ------------------------------------------------------------------------------

    async def report(self, message: Message, reporter: AccountId, reason: str, enforcer: Enforcer) -> Outcome:
        """Someone reported `message` (R7). One incident per reporter and message; the reporter is kept for
        leadership only, and is not derivable from the incident's event key."""
        with self._taking():
            return await self._report(message, reporter, reason, enforcer)

    async def _report(self, message: Message, reporter: AccountId, reason: str, enforcer: Enforcer) -> Outcome:
        policy = self.policy_for(message.platform, message.room_id) or self._fallback_policy(message)
        author = self._directory.person_for(message.platform, message.author)
        reporter_person = self._directory.person_for(message.platform, reporter)
        judged = await self._judge.judge(message, policy, author)
        keyed = _replace_event(message, report_key(self._report_secret, reporter, message.event_id))
        verdict = REPORT.evaluate(judged, reason)
        reported_by = reporter_person.id if reporter_person else f"{message.platform.value}:{reporter}"
        return await self._act(keyed, verdict, policy, author, enforcer, reported_by=reported_by)

    async def record_room_event(
        self,
        *,
        platform: Platform,
        room_id: RoomId,
        event_id: EventId,
        actor: AccountId | None,
        category: Category,
        explanation: str,
        enforcer: Enforcer,
    ) -> Outcome:
        """An incident about a room rather than a message, e.g. its announcement settings were changed (R10)."""
        with self._taking():
            now = self._clock.now()
            message = Message(platform, room_id, event_id, actor or AccountId(""), "", now)
            policy = self.policy_for(platform, room_id) or self._fallback_policy(message)
            author = self._directory.person_for(platform, actor) if actor else None
            verdict = ROOM_SETTINGS.evaluate(category, explanation)
            return await self._act(message, verdict, policy, author, enforcer, reported_by=None)

    # -- acting ---------------------------------------------------------------------------------------------

    async def _act(
        self,
        message: Message,
        verdict: Verdict,
        policy: RoomPolicy,
        author: Person | None,
        enforcer: Enforcer,
        reported_by: str | None,
    ) -> Outcome:
        reviewers = route(author, verdict, self._directory)
        draft = IncidentDraft(message, verdict, author, reviewers, policy.room.name, reported_by=reported_by)
        dry = self._dry_run or policy.dry_run
        draft = replace(draft, owed=owed_actions(draft, enforcer, dry=dry))
        incident = await self._wait.write(self._store.record, draft, self._clock.now())
        if incident is None:
            return Outcome(verdict=verdict, duplicate=True, actions=await self._actions.after_replay(message, enforcer))
        log.info(
            "incident #%d recorded in room %s (%s %s, %s)",
            incident.id,
            policy.room.name,
            verdict.rule_id,
            verdict.category.value,
            message.platform.value,
        )
        self._checkpoint("recorded")
        done = await self._actions.fresh(incident, enforcer)
        return Outcome(verdict=verdict, incident=incident, actions=tuple(done))

    async def resume(self, platform: Platform, enforcer: Enforcer) -> int:
        """Do every action still owed on `platform` (a crash or a stop interrupted it). At start, before new
        events are taken. Returns how many actions were done (or failed)."""
        with self._taking():
            return await self._actions.resume(platform, enforcer)

    # -- stopping ---------------------------------------------------------------------------------------------

    @contextmanager
    def _taking(self) -> Iterator[None]:
        if not self._accepting:
            raise Stopping("the bot is stopping")
        self._in_hand += 1
        try:
            yield
        finally:
            self._in_hand -= 1
            if self._in_hand == 0 and self._idle is not None:
                self._idle.set()

    @property
    def stopping(self) -> bool:
        return not self._accepting

    async def stop_taking(self, grace: float) -> bool:
        """Take no new event; wait up to `grace` seconds for the ones in hand to finish, and for the notices and
        cards handed to the workers. True when nothing is left (what is left stays in the outbox or unsynced, and
        is finished at the next start)."""
        self._accepting = False
        deadline = time.monotonic() + grace
        finished = True
        if self._in_hand:
            self._idle = asyncio.Event()
            try:
                await asyncio.wait_for(self._idle.wait(), grace)
            except TimeoutError:
                finished = self._in_hand == 0
        if not await self._actions.drain(lambda: deadline - time.monotonic()):
            finished = False
        return finished

    async def drained(self, timeout: float = 30.0, *, poll: float = 0.02) -> bool:
        """Wait until no event is in hand and every notice and card handed to the workers is delivered (for tests
        and benchmarks, which look at the cards after the message); False when `timeout` seconds passed first."""
        deadline = time.monotonic() + timeout
        while self._in_hand or self._actions.busy:
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(poll)
        return True

    # -- questions adapters ask -------------------------------------------------------------------------------

    def policy_for(self, platform: Platform, room_id: RoomId) -> RoomPolicy | None:
        policy = self._policies.get(platform, room_id)
        if policy is None and self._unconfigured is not None:
            return RoomPolicy(room=Room(platform, room_id, str(room_id), self._unconfigured))
        return policy

    def _fallback_policy(self, message: Message) -> RoomPolicy:
        return RoomPolicy(room=Room(message.platform, message.room_id, str(message.room_id), RoomKind.STUDENT_RUN))

    def rooms(self, platform: Platform) -> list[RoomPolicy]:
        return self._policies.rooms(platform)

    def allowed_posters(self, platform: Platform, room_id: RoomId) -> frozenset[AccountId]:
        policy = self._policies.get(platform, room_id)
        if policy is None:
            return frozenset()
        people = [self._directory.person(pid) for pid in policy.posters]
        if policy.staff_may_post:
            people.extend(self._directory.staff())
        return frozenset(a.id for p in people if p is not None for a in p.accounts if a.platform is platform)

    def staff_accounts(self, platform: Platform) -> frozenset[AccountId]:
        return frozenset(a.id for p in self._directory.staff() for a in p.accounts if a.platform is platform)

    def person_name(self, person_id: PersonId) -> str:
        person = self._directory.person(person_id)
        return person.name if person else str(person_id)


def _replace_event(message: Message, event_id: EventId) -> Message:
    return replace(message, event_id=event_id, message_id=message.target_id)
