"""What an incident owes, and doing it: the verdict's actions and the card copies become outbox rows in the
incident's own transaction; each is then done through the platform's Enforcer and marked done once.

A dry-run room's actions are done through a DryRunEnforcer: recorded, not done on the platform (the card still goes
out, marked). The outbox keeps that they were dry, so a restart finishes them the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import replace

from sqlalchemy.exc import InterfaceError, OperationalError

from moderation.back_off import BackOff
from moderation.card_bursts import CardBursts, OwedCard
from moderation.critical_path import CriticalPath
from moderation.database_wait import DatabaseWait
from moderation.deliveries import Deliveries, DeliveryGate, Job
from moderation.done_marks import DoneMarks, DueMark
from moderation.enforcers import DryRunEnforcer
from moderation.incidents.outbox import DRY, MESSAGE, message_snapshot
from moderation.model import Action, ActionKind, EventId, Message, Platform, RoomId
from moderation.ports import (
    CARD,
    CardDelivery,
    Clock,
    CombinedCards,
    CombinedNotices,
    Enforcer,
    IncidentDraft,
    IncidentRef,
    Metrics,
    NoMetrics,
    Outbox,
    OwedAction,
    PendingAction,
    StoreUnavailable,
)

log = logging.getLogger(__name__)
DONE_REMEMBERED = 10_000  # far more than can be owed between reading the outbox and acting on it

# On the message path itself: the abusive message goes first. Notices and cards may follow (see Deliveries).
CRITICAL = frozenset({ActionKind.DELETE.value, ActionKind.FLAG.value})


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


class ActionRunner:
    """Does owed actions in order and marks each done; one being done elsewhere in this process is left alone."""

    def __init__(
        self,
        outbox: Outbox,
        clock: Clock,
        wait: DatabaseWait,
        *,
        checkpoint: Callable[[str], None],
        delivery_workers: Mapping[Platform, int],
        metrics: Metrics | None = None,
        mark_interval: float = 0.05,
        card_burst: float = 0.0,
        critical_wait: float = 0.0,
        notice_burst: float = 0.0,
        back_offs: Mapping[Platform, BackOff] | None = None,
    ) -> None:
        self._outbox = outbox
        self._metrics = metrics or NoMetrics()
        self._clock = clock
        self._wait = wait
        self._checkpoint = checkpoint  # called after each step; the fault tests end the process there
        self._in_flight: set[int] = set()  # outbox actions being done right now (a replay must not start them too)
        # Actions this process finished lately: a replay that read them as pending just before must not redo them.
        self._done_here: dict[int, None] = {}
        # Per platform: how many workers deliver its notices and cards, off the message path (the delete stays on
        # it). A platform without any (0, or not named) has every action done inline, before its handler returns.
        self._delivery_workers = dict(delivery_workers)
        self._deliveries: dict[Platform, Deliveries] = {}
        # Where there are workers, the done marks are written in batches, behind the message path's writes.
        self._marks = DoneMarks(outbox, clock, wait, marked=self._marked, checkpoint=checkpoint, interval=mark_interval)
        # The workers' cards of a burst, per viewer, as one combined card where the enforcer can (0: each alone).
        workers = max(self._delivery_workers.values(), default=0)
        # Each batch is taken once the platform's back-off lets it go: while it waits, more join it.
        paced = self._paced_card
        self._bursts = (
            CardBursts(self._deliver_cards, card_burst, at_once=max(1, workers), paced=paced)
            if card_burst > 0
            else None
        )
        # A person's notices of a burst, as one notice listing them where the enforcer can (0: each alone).
        self._notices = (
            CardBursts(self._deliver_notices, notice_burst, at_once=max(1, workers), viewer=_author, paced=paced)
            if notice_burst > 0
            else None
        )
        # The workers hold back while a deletion is in flight, at most this long (0: they do not).
        self._critical = CriticalPath(critical_wait)
        # Per platform: the deletions' round-trips set how many deliveries may be in flight (none named: the workers).
        self._gates = {platform: DeliveryGate(back_off) for platform, back_off in (back_offs or {}).items()}

    async def fresh(self, incident: IncidentRef, enforcer: Enforcer) -> list[Action]:
        """Everything a just-recorded incident owes."""
        pending: Sequence[PendingAction] | None = incident.pending  # as recorded: no need to read them back
        if pending is None:
            platform = incident.draft.message.platform
            pending = await self._wait.write(self._outbox.pending, platform, incident_id=incident.id)
        return await self.dispatch(incident, enforcer, pending)

    async def after_replay(self, message: Message, enforcer: Enforcer) -> tuple[Action, ...]:
        """A replayed event's incident exists: whatever an interruption left undone is done now, once."""
        event: tuple[RoomId, EventId] = (message.room_id, message.event_id)
        pending = await self._wait.write(self._outbox.pending, message.platform, event=event)
        if not pending:
            return ()
        stored = await self._wait.write(self._outbox.incident, pending[0].incident_id)
        if stored is None:
            return ()
        log.info("incident #%d: finishing %d owed action(s) after a replay", stored.id, len(pending))
        return tuple(await self.dispatch(stored, enforcer, pending))

    async def dispatch(
        self, incident: IncidentRef, enforcer: Enforcer, pending: Sequence[PendingAction]
    ) -> list[Action]:
        """The critical path (delete) now; the rest now too, or by the platform's workers when there are any."""
        platform = incident.draft.message.platform
        workers = self._delivery_workers.get(platform, 0)
        if not workers:
            return await self.settle(incident, enforcer, pending)
        now = [p for p in pending if p.kind in CRITICAL]
        later = tuple(p for p in pending if p.kind not in CRITICAL and not self._taken(p.id))
        done = await self.settle(incident, enforcer, now)
        if later:
            self._in_flight.update(p.id for p in later)  # claimed: a replay meanwhile leaves them to the workers
            self._submit(Job(incident, enforcer, later))
        return done

    def _submit(self, job: Job) -> None:
        platform = job.incident.draft.message.platform
        deliveries = self._deliveries.get(platform)
        if deliveries is None:
            workers = self._delivery_workers.get(platform, 0)
            deliveries = self._deliveries[platform] = Deliveries(self._deliver, workers)
        deliveries.submit(job)

    async def _deliver(self, job: Job) -> None:
        """A worker's job. The incident as stored now, not as it was judged: an erasure or a masking since then
        must not reach a card."""
        handed: set[int] = set()  # cards left to the bursts: they stay claimed until delivered
        try:
            stored = await self._wait.write(self._outbox.incident, job.incident.id, bookkeeping=True)
            if stored is None:  # erased altogether: nothing is owed any more
                return
            handed = self._to_bursts(stored, job.enforcer, job.actions)
            rest = [p for p in job.actions if p.id not in handed]
            await self.settle(stored, job.enforcer, rest, claimed=True)
        finally:
            self._in_flight.difference_update(p.id for p in job.actions if p.id not in handed)

    def _to_bursts(self, incident: IncidentRef, enforcer: Enforcer, actions: Sequence[PendingAction]) -> set[int]:
        """Hand the cards (and notices) that can go combined to their bursts; the ids handed, which stay claimed
        until delivered."""
        handed: set[int] = set()
        cards = self._bursts if isinstance(enforcer, CombinedCards) else None
        notices = self._notices if isinstance(enforcer, CombinedNotices) else None
        for owed in actions:
            if cards is not None and owed.kind == CARD:
                cards.add(OwedCard(owed, incident, enforcer))
            elif notices is not None and _combinable_notice(owed, incident):
                notices.add(OwedCard(owed, incident, enforcer))
            else:
                continue
            handed.add(owed.id)
        return handed

    @contextlib.asynccontextmanager
    async def _paced(self, platform: Platform) -> AsyncIterator[None]:
        """Around a worker's call to the platform: the next deletion goes first, and the platform's back-off
        decides how many go at once."""
        await self._critical.clear()
        gate = self._gates.get(platform)
        if gate is None:
            yield
            return
        async with gate.slot():
            yield

    def _paced_card(self, card: OwedCard) -> contextlib.AbstractAsyncContextManager[None]:
        return self._paced(card.incident.draft.message.platform)

    async def _deliver_cards(self, cards: Sequence[OwedCard]) -> None:
        """One viewer's cards of a burst: one alone as ever, several as one combined card; each marked done."""
        first = cards[0]

        def together() -> Awaitable[Action]:
            assert isinstance(first.enforcer, CombinedCards)
            incidents = [card.incident for card in cards]
            return _attempt(ActionKind.ANNOUNCE, first.enforcer.deliver_cards(incidents, first.owed.target))

        await self._deliver_burst(cards, together, "cards-together", f"{len(cards)} card(s) for {first.owed.target}")

    async def _deliver_notices(self, notices: Sequence[OwedCard]) -> None:
        """One person's notices of a burst: one alone as ever, several as one notice listing them; each marked done
        (its history names the incidents it went with)."""
        first = notices[0]

        def together() -> Awaitable[Action]:
            assert isinstance(first.enforcer, CombinedNotices)
            told = [(n.incident.draft.message, str(n.owed.payload["text"])) for n in notices]
            detail = "in one notice with " + ", ".join(f"#{n.incident.id}" for n in notices)
            return _attempt(ActionKind.NOTIFY_SENDER, first.enforcer.notify_sender_together(told), detail)

        author = first.incident.draft.message.author
        await self._deliver_burst(notices, together, "notices-together", f"{len(notices)} notice(s) to {author}")

    async def _deliver_burst(
        self, owed: Sequence[OwedCard], together: Callable[[], Awaitable[Action]], step: str, what: str
    ) -> None:
        """A burst's owed actions: one alone as ever, several in one message (`together`); each marked done."""
        first = owed[0]
        try:
            if len(owed) == 1:
                action = await self._wait.attempt(
                    functools.partial(_perform, first.owed, first.incident, first.enforcer)
                )
                self._checkpoint(first.owed.step)
            else:
                action = await self._wait.attempt(together)
                self._checkpoint(step)
            for item in owed:
                self._marks.add(item.owed, item.incident, action)
                self._note_done(item.owed.id)
        except Exception:  # still pending in the outbox: delivered at the next start
            log.exception("delivering %s failed", what)
        finally:
            self._in_flight.difference_update(item.owed.id for item in owed)

    def _taken(self, action_id: int) -> bool:
        return action_id in self._in_flight or action_id in self._done_here

    def _note_done(self, action_id: int) -> None:
        self._done_here[action_id] = None
        if len(self._done_here) > DONE_REMEMBERED:
            del self._done_here[next(iter(self._done_here))]

    async def resume(self, platform: Platform, enforcer: Enforcer) -> int:
        """Do every action still owed on `platform`; how many were done (or failed)."""
        pending = await self._wait.write(self._outbox.pending, platform)
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
        later: list[tuple[IncidentRef, list[PendingAction]]] = []
        queued = self._delivery_workers.get(platform, 0) > 0
        for incident_id, actions in by_incident.items():
            incident = await self._wait.write(self._outbox.incident, incident_id)
            if incident is None:
                continue
            if not queued:
                finished += len(await self.settle(incident, enforcer, actions))
                continue
            # The deletions now, every one first; the rest to the workers, below.
            now = [a for a in actions if a.kind in CRITICAL]
            finished += len(await self.settle(incident, enforcer, now))
            rest = [a for a in actions if a.kind not in CRITICAL and not self._taken(a.id)]
            if rest:
                later.append((incident, rest))
        # All handed over at once, before any burst begins: each viewer's cards from before the restart go
        # combined (and each person's notices), not the first one alone.
        for incident, rest in later:
            self._in_flight.update(a.id for a in rest)
            handed = self._to_bursts(incident, enforcer, rest)
            others = tuple(a for a in rest if a.id not in handed)
            if others:
                self._submit(Job(incident, enforcer, others))
            finished += len(rest)
        return finished

    async def settle(
        self, incident: IncidentRef, enforcer: Enforcer, pending: Sequence[PendingAction], *, claimed: bool = False
    ) -> list[Action]:
        """Do each owed action in order and mark it done (`claimed`: these were claimed for this caller when they
        were handed over)."""
        done: list[Action] = []
        batched = self._delivery_workers.get(incident.draft.message.platform, 0) > 0
        for owed in pending:
            if not claimed and self._taken(owed.id):
                continue
            self._in_flight.add(owed.id)
            try:
                perform = functools.partial(_perform, owed, incident, enforcer)
                if owed.kind in CRITICAL:
                    with self._critical.running():
                        began = time.monotonic()
                        action = await self._wait.attempt(perform)
                        self._observed(incident.draft.message.platform, owed.kind, time.monotonic() - began)
                elif claimed:  # a worker's: the next deletion goes first, and it waits its turn at the platform
                    async with self._paced(incident.draft.message.platform):
                        action = await self._wait.attempt(perform)
                else:
                    action = await self._wait.attempt(perform)
                self._checkpoint(owed.step)
                if batched:  # marked with others shortly; until then this process knows it is done
                    self._marks.add(owed, incident, action)
                    finished = True
                else:
                    finished = await self._wait.write(
                        self._outbox.finish, owed.id, action.ok, action.detail, self._clock.now()
                    )
            finally:
                self._in_flight.discard(owed.id)
            self._note_done(owed.id)
            if finished:
                if not batched:
                    self._marked(DueMark(owed, incident, action))
                done.append(action)
        return done

    def _observed(self, platform: Platform, kind: str, seconds: float) -> None:
        gate = self._gates.get(platform)
        if gate is not None and kind == ActionKind.DELETE.value:  # a flag costs the platform nothing
            gate.back_off.observed(seconds, time.monotonic())

    def _marked(self, mark: DueMark) -> None:
        incident, owed, action = mark.incident, mark.owed, mark.action
        self._metrics.acted(incident.draft.message.platform.value, owed.kind, action.ok)
        outcome = "done" if action.ok else "FAILED"
        room = incident.draft.room_name or incident.draft.message.room_id
        log.info("incident #%d: %s %s in room %s", incident.id, owed.step, outcome, room)

    @property
    def busy(self) -> bool:
        """Some platform's workers still have a notice or card to deliver, or a done mark to write."""
        waiting = any(b is not None and b.busy for b in (self._bursts, self._notices))
        return any(d.busy for d in self._deliveries.values()) or waiting or self._marks.busy

    async def drain(self, timeout: Callable[[], float]) -> bool:
        """Wait for the workers' notices and cards (each platform within what is left of `timeout()` seconds),
        then close them. True when nothing was left."""
        finished = True
        for deliveries in self._deliveries.values():
            if not await deliveries.drain(max(0.0, timeout())):
                finished = False
            await deliveries.close()
        for bursts in (self._bursts, self._notices):
            if bursts is None:
                continue
            try:
                await asyncio.wait_for(bursts.flush(), max(0.0, timeout()))
            except TimeoutError:
                finished = False
            await bursts.close()
        await self._marks.flush()
        if self._critical.held:
            log.info("the delivery workers held back %d time(s) for a deletion in flight", self._critical.held)
        for platform, gate in self._gates.items():
            if gate.back_off.yielded:
                log.info(
                    "%s: the deliveries yielded %d time(s) to slow deletions", platform.value, gate.back_off.yielded
                )
        return finished


def _author(notice: OwedCard) -> Hashable:
    message = notice.incident.draft.message
    return (message.platform, message.author)


def _combinable_notice(owed: PendingAction, incident: IncidentRef) -> bool:
    """A notice that may go together with the same person's others: a real one (not a dry-run room's), with text."""
    text = owed.payload.get("text")
    return (
        owed.kind == ActionKind.NOTIFY_SENDER.value
        and not owed.payload.get(DRY)
        and isinstance(text, str)
        and bool(text)
        and bool(incident.draft.message.author)
    )


async def _perform(owed: PendingAction, incident: IncidentRef, enforcer: Enforcer) -> Action:
    message, verdict = incident.draft.message, incident.draft.verdict
    if owed.kind == CARD:
        assert isinstance(enforcer, CardDelivery), "a card copy is only owed by an enforcer that delivers them"
        return await _attempt(ActionKind.ANNOUNCE, enforcer.deliver_card(incident, owed.target))
    kind = ActionKind(owed.kind)
    dry = bool(owed.payload.get(DRY))  # a dry-run room's: its consequences are only recorded
    hands: Enforcer = DryRunEnforcer(inner=enforcer) if dry else enforcer
    not_done = DryRunEnforcer.NOT_DONE if dry else ""
    if kind is ActionKind.DELETE:
        if owed.payload.get("is_edit") is not None:
            message = replace(message, is_edit=bool(owed.payload["is_edit"]))
        reason = str(owed.payload.get("reason") or f"schoolwacht {verdict.rule_id}: {verdict.category}")
        return await _attempt(kind, hands.delete(message, reason), not_done)
    if kind is ActionKind.NOTIFY_SENDER:
        text = owed.payload.get("text")
        if not isinstance(text, str) or not text or not message.author:
            return Action(kind, ok=True, detail="nothing to say")
        return await _attempt(kind, hands.notify_sender(message, text), not_done)
    if kind is ActionKind.ANNOUNCE:
        return await _attempt(kind, hands.announce(incident))
    return Action(kind, ok=True)


async def _attempt(kind: ActionKind, call: Awaitable[None], detail: str = "") -> Action:
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
    return Action(kind, ok=True, detail=detail)
