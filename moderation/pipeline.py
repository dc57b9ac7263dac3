"""The Moderator: every message of every platform goes through `handle`, and only this module acts on verdicts.

early exits -> room policy -> every rule (each isolated) -> strongest verdict -> one incident -> routing -> actions
"""

from __future__ import annotations

import asyncio
import functools
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TypeVar

from sqlalchemy.exc import InterfaceError, OperationalError

from moderation.deliveries import Deliveries, Job
from moderation.incidents.outbox import DRY, MESSAGE, message_snapshot
from moderation.incidents.report_key import report_key
from moderation.incidents.routing import route
from moderation.judge import Judge
from moderation.model import (
    AccountId,
    Action,
    ActionKind,
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
    Severity,
    Verdict,
)
from moderation.policy import PolicyBook, RoomPolicy
from moderation.ports import (
    CARD,
    CardDelivery,
    Classifier,
    Clock,
    Directory,
    Enforcer,
    IncidentDraft,
    IncidentRef,
    IncidentStore,
    MediaScanner,
    Outbox,
    OwedAction,
    PendingAction,
    StoreUnavailable,
)
from moderation.rules.base import MemberContext, MemberRule, RoomContext, RoomRule, Rule

log = logging.getLogger(__name__)
T = TypeVar("T")
# On the message path itself: the abusive message goes first. Notices and cards may follow (see Deliveries).
CRITICAL = frozenset({ActionKind.DELETE.value, ActionKind.FLAG.value})


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
        checkpoint: Callable[[str], None] = lambda _step: None,
        report_secret: bytes | None = None,
        member_rules: Sequence[MemberRule] = (),
        official_names: Sequence[str] = (),
        media_scanner: MediaScanner | None = None,
        room_rules: Sequence[RoomRule] = (),
        one_to_one_exceptions: Sequence[str] = (),
        delivery_workers: int = 0,
    ) -> None:
        self._store_retry_delay = store_retry_delay
        # The installation's secret for report keys (bot/app.py passes it); a process of its own without one.
        self._report_secret = report_secret if report_secret is not None else secrets.token_bytes(32)
        self._policies = policies
        self._judge = Judge(rules, classifier, member_rules, media_scanner, room_rules)
        self._one_to_one_exceptions = frozenset(
            e.strip().casefold() if "/" in e else e.strip() for e in one_to_one_exceptions
        )
        self._official_names = tuple(official_names)
        self._directory = directory
        self._store = store
        self._outbox = outbox
        self._clock = clock
        self._bot_accounts = bot_accounts
        self._unconfigured = unconfigured_rooms  # None: messages in rooms not in the config are ignored
        self._dry_run = dry_run
        self._checkpoint = checkpoint  # called after each step; the fault tests end the process there
        self._in_flight: set[int] = set()  # outbox actions being done right now (a replay must not start them too)
        # 0: every action inline, before handle() returns. Else notices and cards go to this many workers per
        # platform, off the message path (the delete stays on it).
        self._delivery_workers = delivery_workers
        self._deliveries: dict[Platform, Deliveries] = {}
        self._outage_since: float | None = None  # the database has been unreachable since (monotonic seconds)
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
        verdict = await self._judge.judge(message, policy, author)
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
            context = MemberContext(policy, member, self._directory.staff(), self._official_names)
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
        said = f": {reason.strip()}" if reason.strip() else ""
        verdict = Verdict(
            rule_id="R7",
            rule_name="report",
            category=Category.REPORTED,
            severity=max(Severity.MEDIUM, judged.severity) if judged else Severity.MEDIUM,
            score=1.0,
            explanation=f"reported by a member of the school{said}"
            + (f"; the bot also sees: {judged.explanation}" if judged else ""),
            actions=(ActionKind.FLAG,),  # a report never deletes by itself: a person reviews it
            criminal=judged.criminal if judged else False,
            scores=judged.scores if judged else (),
            excerpt=judged.excerpt if judged else None,
        )
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
            verdict = Verdict(
                rule_id="R10",
                rule_name="room_settings",
                category=category,
                severity=Severity.MEDIUM,
                score=1.0,
                explanation=explanation,
                actions=(ActionKind.FLAG,),
            )
            return await self._act(message, verdict, policy, author, enforcer, reported_by=None)

    # -- acting -----------------------------------------------------------------------------------------------

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
        now = self._clock.now()
        incident = await self._until_stored(self._store.record, draft, now)
        if incident is None:
            # A replay: the incident exists. Whatever an interruption left undone is done now, once.
            event = (message.room_id, message.event_id)
            pending = await self._until_stored(self._outbox.pending, message.platform, event=event)
            actions: tuple[Action, ...] = ()
            if pending:
                stored = await self._until_stored(self._outbox.incident, pending[0].incident_id)
                if stored is not None:
                    log.info("incident #%d: finishing %d owed action(s) after a replay", stored.id, len(pending))
                    actions = tuple(await self._dispatch(stored, enforcer, pending))
            return Outcome(verdict=verdict, duplicate=True, actions=actions)
        log.info(
            "incident #%d recorded in room %s (%s %s, %s)",
            incident.id,
            policy.room.name,
            verdict.rule_id,
            verdict.category.value,
            message.platform.value,
        )
        self._checkpoint("recorded")
        pending = await self._until_stored(self._outbox.pending, message.platform, incident_id=incident.id)
        done = await self._dispatch(incident, enforcer, pending)
        return Outcome(verdict=verdict, incident=incident, actions=tuple(done))

    async def _dispatch(
        self, incident: IncidentRef, enforcer: Enforcer, pending: Sequence[PendingAction]
    ) -> list[Action]:
        """The critical path (delete) now; the rest now too, or by the platform's workers when there are any."""
        if not self._delivery_workers:
            return await self._settle(incident, enforcer, pending)
        now = [p for p in pending if p.kind in CRITICAL]
        later = tuple(p for p in pending if p.kind not in CRITICAL and p.id not in self._in_flight)
        done = await self._settle(incident, enforcer, now)
        if later:
            self._in_flight.update(p.id for p in later)  # claimed: a replay meanwhile leaves them to the workers
            platform = incident.draft.message.platform
            deliveries = self._deliveries.get(platform)
            if deliveries is None:
                deliveries = self._deliveries[platform] = Deliveries(self._deliver, self._delivery_workers)
            deliveries.submit(Job(incident, enforcer, later))
        return done

    async def _deliver(self, job: Job) -> None:
        """A worker's job. The incident as stored now, not as it was judged: an erasure or a masking since then
        must not reach a card."""
        try:
            stored = await self._until_stored(self._outbox.incident, job.incident.id)
            if stored is not None:  # else it was erased altogether, and nothing is owed any more
                await self._settle(stored, job.enforcer, job.actions, claimed=True)
        finally:
            self._in_flight.difference_update(p.id for p in job.actions)

    async def resume(self, platform: Platform, enforcer: Enforcer) -> int:
        """Do every action still owed on `platform` (a crash or a stop interrupted it). At start, before new
        events are taken. Returns how many actions were done (or failed)."""
        with self._taking():
            pending = await self._until_stored(self._outbox.pending, platform)
            if not pending:
                return 0
            by_incident: dict[int, list[PendingAction]] = {}
            for action in pending:
                by_incident.setdefault(action.incident_id, []).append(action)
            log.info(
                "%s: finishing %d owed action(s) of %d incident(s) from before the restart",
                platform.value,
                len(pending),
                len(by_incident),
            )
            finished = 0
            for incident_id, actions in by_incident.items():
                incident = await self._until_stored(self._outbox.incident, incident_id)
                if incident is not None:
                    finished += len(await self._settle(incident, enforcer, actions))
            return finished

    async def _settle(
        self, incident: IncidentRef, enforcer: Enforcer, pending: Sequence[PendingAction], *, claimed: bool = False
    ) -> list[Action]:
        """Do each owed action in order and mark it done; one already being done elsewhere in this process is left
        to that caller (`claimed`: these were claimed for this caller when they were handed over)."""
        done: list[Action] = []
        room = incident.draft.room_name or incident.draft.message.room_id
        for owed in pending:
            if not claimed and owed.id in self._in_flight:
                continue
            self._in_flight.add(owed.id)
            try:
                action = await self._until_stored_async(functools.partial(self._perform, owed, incident, enforcer))
                self._checkpoint(owed.step)
                finished = await self._until_stored(
                    self._outbox.finish, owed.id, action.ok, action.detail, self._clock.now()
                )
            finally:
                self._in_flight.discard(owed.id)
            if finished:
                outcome = "done" if action.ok else "FAILED"
                log.info("incident #%d: %s %s in room %s", incident.id, owed.step, outcome, room)
                done.append(action)
        return done

    async def _perform(self, owed: PendingAction, incident: IncidentRef, enforcer: Enforcer) -> Action:
        message, verdict = incident.draft.message, incident.draft.verdict
        if owed.kind == CARD:
            assert isinstance(enforcer, CardDelivery), "a card copy is only owed by an enforcer that delivers them"
            return await _attempt(ActionKind.ANNOUNCE, enforcer.deliver_card(incident, owed.target))
        kind = ActionKind(owed.kind)
        if owed.payload.get(DRY) and kind is not ActionKind.ANNOUNCE:
            return Action(kind, ok=True, detail="dry run: not done")
        if kind is ActionKind.DELETE:
            if owed.payload.get("is_edit") is not None:
                message = replace(message, is_edit=bool(owed.payload["is_edit"]))
            reason = str(owed.payload.get("reason") or f"schoolwacht {verdict.rule_id}: {verdict.category}")
            return await _attempt(kind, enforcer.delete(message, reason))
        if kind is ActionKind.NOTIFY_SENDER:
            text = owed.payload.get("text")
            if not isinstance(text, str) or not text or not message.author:
                return Action(kind, ok=True, detail="nothing to say")
            return await _attempt(kind, enforcer.notify_sender(message, text))
        if kind is ActionKind.ANNOUNCE:
            return await _attempt(kind, enforcer.announce(incident))
        return Action(kind, ok=True)

    async def _until_stored(self, write: Callable[..., T], *args: object, **kwargs: object) -> T:
        """Write to the incident log in a worker thread. While the database is down, wait and try again: the
        message's handler waits with it (the Matrix sync token does not move on), so nothing is lost."""
        return await self._until_stored_async(lambda: asyncio.to_thread(write, *args, **kwargs))

    async def _until_stored_async(self, attempt: Callable[[], Awaitable[T]]) -> T:
        """`attempt` until it does not fail for want of the database. One warning per outage (however many
        messages and workers wait for it), and one when it is back."""
        delay = self._store_retry_delay
        while True:
            try:
                result = await attempt()
            except StoreUnavailable as exc:
                if self._outage_since is None:
                    self._outage_since = time.monotonic()
                    log.warning("the database is unreachable (%s); waiting for it, trying again until it is back", exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            if self._outage_since is not None:
                log.warning("the database is reachable again after %.0fs", time.monotonic() - self._outage_since)
                self._outage_since = None
            return result

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
        for deliveries in self._deliveries.values():
            if not await deliveries.drain(max(0.0, deadline - time.monotonic())):
                finished = False
            await deliveries.close()
        return finished

    async def drained(self, timeout: float = 30.0, *, poll: float = 0.02) -> bool:
        """Wait until no event is in hand and every notice and card handed to the workers is delivered (for tests
        and benchmarks, which look at the cards after the message); False when `timeout` seconds passed first."""
        deadline = time.monotonic() + timeout
        while self._in_hand or any(d.busy for d in self._deliveries.values()):
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

    def replace_directory(self, directory: Directory) -> None:
        """After a roster import: new messages are judged against the new roster."""
        self._directory = directory


def owed_actions(draft: IncidentDraft, enforcer: Enforcer, *, dry: bool) -> tuple[OwedAction, ...]:
    """What the incident's verdict asks for, as outbox rows: the verdict's actions, then every copy of the card
    (one action per copy where the enforcer delivers them one by one, else one `announce`)."""
    message, verdict = draft.message, draft.verdict
    snapshot: dict[str, object] = {MESSAGE: message_snapshot(message), **({DRY: True} if dry else {})}
    owed: list[OwedAction] = []
    for kind in dict.fromkeys(verdict.actions):
        if kind is ActionKind.DELETE:
            reason = f"schoolwacht {verdict.rule_id}: {verdict.category}"
            owed.append(OwedAction(kind.value, payload={**snapshot, "reason": reason, "is_edit": message.is_edit}))
        elif kind is ActionKind.NOTIFY_SENDER:
            owed.append(OwedAction(kind.value, payload={**snapshot, "text": verdict.notice or ""}))
        elif kind is not ActionKind.ANNOUNCE:
            owed.append(OwedAction(kind.value, done=True))
    if not verdict.for_review:
        pass  # nothing for reviewers: no card anywhere
    elif isinstance(enforcer, CardDelivery):
        owed.extend(OwedAction(CARD, str(viewer), payload=snapshot) for viewer in enforcer.card_viewers(draft))
    else:
        owed.append(OwedAction(ActionKind.ANNOUNCE.value, payload=snapshot))
    return tuple(owed)


async def _attempt(kind: ActionKind, call: Awaitable[None]) -> Action:
    """Await one enforcer call; a failure becomes a failed Action on the incident, never a lost one. A database
    that is away is no failure of the action: it is tried again when the database is back."""
    try:
        await call
    except StoreUnavailable:
        raise
    except (OperationalError, InterfaceError) as exc:
        raise StoreUnavailable(str(exc.orig or exc).strip().splitlines()[0]) from exc
    except Exception as exc:
        log.warning("action %s failed: %s: %s", kind.value, type(exc).__name__, exc)
        return Action(kind, ok=False, detail=f"{type(exc).__name__}: {exc}")
    return Action(kind, ok=True)


def _replace_event(message: Message, event_id: EventId) -> Message:
    return replace(message, event_id=event_id, message_id=message.target_id)
