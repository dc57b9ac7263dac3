"""The Moderator: every message of every platform goes through `handle`, and only this module acts on verdicts.

early exits -> room policy -> every rule (each isolated) -> strongest verdict -> one incident -> routing -> actions
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from moderation.enforcers import DryRunEnforcer
from moderation.incidents.routing import route
from moderation.judge import Judge
from moderation.model import (
    AccountId,
    Action,
    ActionKind,
    Category,
    EventId,
    Message,
    Person,
    PersonId,
    Platform,
    Room,
    RoomId,
    RoomKind,
    Severity,
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
    StoreUnavailable,
)
from moderation.rules.base import Rule

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Outcome:
    verdict: Verdict | None
    incident: IncidentRef | None = None
    actions: tuple[Action, ...] = ()
    duplicate: bool = False  # the event was handled before (a replay): nothing was done again
    skipped: str | None = None  # why the message was not judged


class Moderator:
    def __init__(
        self,
        *,
        policies: PolicyBook,
        rules: Sequence[Rule],
        directory: Directory,
        store: IncidentStore,
        clock: Clock,
        classifier: Classifier | None = None,
        bot_accounts: frozenset[tuple[Platform, AccountId]] = frozenset(),
        unconfigured_rooms: RoomKind | None = RoomKind.STUDENT_RUN,
        dry_run: bool = False,
        store_retry_delay: float = 0.5,
    ) -> None:
        self._store_retry_delay = store_retry_delay
        self._policies = policies
        self._judge = Judge(rules, classifier)
        self._directory = directory
        self._store = store
        self._clock = clock
        self._bot_accounts = bot_accounts
        self._unconfigured = unconfigured_rooms  # None: messages in rooms not in the config are ignored
        self._dry_run = dry_run

    # -- the message path -------------------------------------------------------------------------------------

    async def handle(self, message: Message, enforcer: Enforcer) -> Outcome:
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

    # -- reports and room events ------------------------------------------------------------------------------

    async def report(self, message: Message, reporter: AccountId, reason: str, enforcer: Enforcer) -> Outcome:
        """Someone reported `message` (R7). One incident per reporter and message; the reporter is kept for
        leadership only, and is not derivable from the incident's event key."""
        policy = self.policy_for(message.platform, message.room_id) or self._fallback_policy(message)
        author = self._directory.person_for(message.platform, message.author)
        reporter_person = self._directory.person_for(message.platform, reporter)
        judged = await self._judge.judge(message, policy, author)
        digest = hashlib.sha256(f"{reporter}\n{message.event_id}".encode()).hexdigest()[:24]
        keyed = _replace_event(message, EventId(f"report:{digest}"))
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
        now = self._clock.now()
        incident = await self._until_stored(self._store.record, draft, now)
        if incident is None:
            return Outcome(verdict=verdict, duplicate=True)
        dry = self._dry_run or policy.dry_run
        hands: Enforcer = DryRunEnforcer(inner=enforcer) if dry else enforcer
        actions = [await self._do(kind, hands, message, verdict) for kind in verdict.actions]
        if dry:  # the history must not read "delete: ok" for a message that is still there
            actions = [replace(a, detail="dry run: not done") for a in actions]
        actions.append(await _attempt(ActionKind.ANNOUNCE, hands.announce(incident)))
        status = "dry-run" if dry else ("failed" if not all(a.ok for a in actions) else "done")
        await self._until_stored(self._store.record_actions, incident.id, actions, status, self._clock.now())
        return Outcome(verdict=verdict, incident=incident, actions=tuple(actions))

    async def _until_stored(self, write: Callable[..., T], *args: object) -> T:
        """Write to the incident log in a worker thread. While the database is down, wait and try again: the
        message's handler waits with it (the Matrix sync token does not move on), so nothing is lost."""
        delay = self._store_retry_delay
        while True:
            try:
                return await asyncio.to_thread(write, *args)
            except StoreUnavailable as exc:
                log.warning("the incident log is unreachable (%s); trying again in %.1fs", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)

    async def _do(self, kind: ActionKind, hands: Enforcer, message: Message, verdict: Verdict) -> Action:
        if kind is ActionKind.DELETE:
            return await _attempt(kind, hands.delete(message, f"schoolwacht {verdict.rule_id}: {verdict.category}"))
        if kind is ActionKind.NOTIFY_SENDER:
            if not verdict.notice or not message.author:
                return Action(kind, ok=True, detail="nothing to say")
            return await _attempt(kind, hands.notify_sender(message, verdict.notice))
        return Action(kind, ok=True)

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


async def _attempt(kind: ActionKind, call: Awaitable[None]) -> Action:
    """Await one enforcer call; a failure becomes a failed Action on the incident, never a lost one."""
    try:
        await call
    except Exception as exc:
        log.warning("action %s failed: %s: %s", kind.value, type(exc).__name__, exc)
        return Action(kind, ok=False, detail=f"{type(exc).__name__}: {exc}")
    return Action(kind, ok=True)


def _replace_event(message: Message, event_id: EventId) -> Message:
    return replace(message, event_id=event_id, message_id=message.target_id)
