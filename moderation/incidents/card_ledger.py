"""The lifecycle of an incident's chat cards on one platform, written once for every platform.

Which copies exist and where (card_locations.py), what each viewer may see (the ReviewService decides, and records
the read), refreshing every copy after a change, the card for reviewers an escalation added, and withdrawing the
copies when the incident's text is erased (AVG) or their viewer left the school. The platform only sends, edits and
withdraws one copy at a time, through its CardPort.

A burst's combined card (several incidents in one message, for one viewer) is every one of them's copy: a change to
one edits the combined card with the state of all, and withdrawing it for one brings the others a card of their own.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import replace

from moderation.incidents.access import Actor
from moderation.incidents.card_locations import CardLocations
from moderation.incidents.cards import Card
from moderation.incidents.review import ReviewResult, ReviewService
from moderation.model import Person, PersonId
from moderation.ports import OVERVIEW, CardAddress, CardFailed, CardPort, CombinedCardPort
from moderation.texts import Texts, Withdrawal

log = logging.getLogger(__name__)

OPEN = ("open", "in-review")
OVERVIEW_ACTOR = Actor(key="system", admin=True)  # the overview shows every incident, never the reporter
WITHDRAWN_KEPT = 4096  # messages withdrawn lately: far more than edits in flight at once


class CardLedger:
    def __init__(
        self, port: CardPort, locations: CardLocations, service: ReviewService, texts: Texts, *, platform: str
    ) -> None:
        self.port = port
        self.locations = locations
        self._service = service
        self._texts = texts
        self._platform = platform  # for the log only
        # One edit or withdrawal of a message at a time, and none after its withdrawal: an edit that was on its way
        # (a press's follow-up) would otherwise bring an erased excerpt back.
        self._message_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._withdrawn: OrderedDict[str, None] = OrderedDict()

    def copies(self, incident_id: int) -> dict[str, CardAddress]:
        return self.locations.of(incident_id)

    def remember(self, incident_id: int, viewer: str, where: CardAddress) -> None:
        """A copy was sent (also one the platform sent itself, such as the overview's first card)."""
        self.locations.add(incident_id, viewer, where)

    def holds(self, incident_id: int, message: str) -> bool:
        """`message` is a copy of this incident's card. Locations that cannot be read cannot be checked: then the
        service's authorisation is all that stands (answers True)."""
        known = self.locations.known(incident_id)
        return known is None or any(where.message == message for where in known.values())

    # -- out ----------------------------------------------------------------------------------------------------

    async def deliver(
        self, incident_id: int, people: Iterable[PersonId], *, key: str | None = None, only_open: bool = False
    ) -> list[str]:
        """Send the card to each person as the service shows it to them; what could not be delivered (empty: all
        went well). Someone already holding a copy, someone this platform cannot reach, and someone the service
        does not let see it (it records the refusal) get none. With `only_open`, a closed incident's card is not
        sent. `key` makes a repeated delivery harmless where the platform supports it."""
        failures: list[str] = []
        have = self.copies(incident_id)
        for pid in dict.fromkeys(people):
            if str(pid) in have:
                continue
            planned = await self.finish_plan(incident_id, str(pid))
            if planned is not None:
                failures.extend(planned)
                continue
            actor = self._service.actor_by_id(str(pid))
            person = actor.person if actor is not None else None
            if actor is None or person is None or not self.port.reaches(person):
                log.info("%s: incident #%d: %s cannot be reached here (digest only)", self._platform, incident_id, pid)
                continue
            shown = await asyncio.to_thread(self._service.show, incident_id, actor)
            if shown.card is None:
                log.info("%s: incident #%d: not for %s: %s", self._platform, incident_id, pid, shown.message)
                continue
            if only_open and shown.card.status not in OPEN:
                continue
            try:
                where = await self.port.send(person, shown.card, key=f"{key}-{pid}" if key else None)
            except CardFailed as exc:
                log.error("%s: incident #%d: card for %s not delivered: %s", self._platform, incident_id, pid, exc)
                failures.append(f"card for {pid}: {exc}")
                continue
            if where is not None:
                self.remember(incident_id, str(pid), where)
        return failures

    async def finish_plan(self, incident_id: int, viewer: str) -> list[str] | None:
        """A combined card for `viewer` holding this incident was about to be sent when the process ended: send that
        same card (the platform answers with the first one if it went). None when there is no such plan."""
        plan = self.locations.plan(viewer)
        if plan is None or incident_id not in plan[1]:
            return None
        key, incidents = plan
        return await self.deliver_together(incidents, viewer, key=key)

    async def deliver_together(self, incidents: Sequence[int], viewer: str, *, key: str) -> list[str]:
        """The cards of several incidents for one viewer (a person id, or OVERVIEW) in one combined message, where
        the platform can; each as the service shows it to them, and remembered as their copy of each. An incident
        they already hold or may not see is left out; one left alone goes as a card of its own. What could not be
        delivered is returned."""
        plan = self.locations.plan(viewer)
        if plan is not None and plan[0] != key and set(plan[1]) & set(incidents):
            # A combined card planned for some of these when the process ended: that same card first (the platform
            # answers with the first one if it went), then the others, never a second copy of one.
            planned = await self.deliver_together(plan[1], viewer, key=plan[0])
            rest = [n for n in incidents if n not in plan[1]]
            return planned + (await self.deliver_together(rest, viewer, key=key) if rest else [])
        person = self._viewer(viewer)
        if viewer != OVERVIEW and (person is None or not self.port.reaches(person)):
            log.info("%s: %s cannot be reached here (digest only)", self._platform, viewer)
            return []
        actor = OVERVIEW_ACTOR if viewer == OVERVIEW else self._service.actor_by_id(viewer)
        if actor is None:
            return []
        cards: list[Card] = []
        for incident_id in dict.fromkeys(incidents):
            if viewer in self.copies(incident_id):
                continue
            shown = await asyncio.to_thread(self._service.show, incident_id, actor)
            if shown.card is None:
                log.info("%s: incident #%d: not for %s: %s", self._platform, incident_id, viewer, shown.message)
                continue
            leadership = person is not None and person.is_leadership
            cards.append(shown.card if leadership else replace(shown.card, reporter=None))
        if not cards:
            self.locations.clear_plan(viewer)
            return []
        port = self.port
        if len(cards) == 1 or not isinstance(port, CombinedCardPort):
            failures: list[str] = []
            for card in cards:
                try:
                    where = await port.send(person, card, key=f"{key}-{card.id}")
                except CardFailed as exc:
                    failures.append(f"card of #{card.id} for {viewer}: {exc}")
                    continue
                if where is not None:
                    self.remember(card.id, viewer, where)
            self.locations.clear_plan(viewer)
            return failures
        numbers = [card.id for card in cards]
        self.locations.set_plan(viewer, key, numbers)
        try:
            where = await port.send_together(person, cards, key=key)
        except CardFailed as exc:  # recorded as failed on each incident, as a card of its own would be
            log.error("%s: combined card of %s for %s not delivered: %s", self._platform, numbers, viewer, exc)
            self.locations.clear_plan(viewer)
            return [f"combined card for {viewer}: {exc}"]
        if where is not None:
            self.locations.hold_together(where.message, numbers)
            for number in numbers:
                self.remember(number, viewer, where)
        self.locations.clear_plan(viewer)
        return []

    def incidents_on(self, message: str) -> list[int]:
        """The incidents whose card `message` is: several for a combined card, else one (or none)."""
        together = self.locations.together(message)
        if together:
            return together
        single = self.locations.incident_of(message)
        return [single] if single is not None else []

    async def follow(self, result: ReviewResult, pressed: tuple[str, CardAddress] | None = None) -> list[str]:
        """After a change: every copy shows the new state, and reviewers the change added get their own card.
        What could not be delivered is returned (the change itself is done)."""
        if result.card is None:
            return []
        await self.refresh(result.card.id, result.card, pressed)
        return await self.deliver(result.card.id, result.added) if result.added else []

    async def refresh(self, incident_id: int, card: Card, pressed: tuple[str, CardAddress] | None = None) -> None:
        """Edit every copy to `card`'s state, each as its viewer may see it (the reporter only in school
        leadership's own copies, never in the overview). A viewer who left the school loses their copy. A copy
        that cannot be edited is logged: the change itself is done and answered."""
        copies = self.copies(incident_id)
        if pressed is not None and all(where.message != pressed[1].message for where in copies.values()):
            self.remember(incident_id, *pressed)
            copies = self.copies(incident_id)
        for viewer, where in copies.items():
            person = self._viewer(viewer)
            if person is None and viewer != OVERVIEW:
                await self.retire(incident_id, viewer, where, Withdrawal.NOT_YOURS)
                continue
            await self.show_in(incident_id, viewer, where, card, person)

    async def show_in(
        self, incident_id: int, viewer: str, where: CardAddress, card: Card, person: Person | None = None
    ) -> None:
        """One copy edited to `card`'s state as `viewer` may see it (not once it was withdrawn)."""
        person = person or self._viewer(viewer)
        leadership = person is not None and person.is_leadership
        shown = card if leadership else replace(card, reporter=None)
        async with self._lock(where.message):
            if where.message in self._withdrawn:
                return
            together = self.locations.together(where.message)
            held = [n for n in together if self._holds_as(n, viewer, where.message)]
            port = self.port
            try:
                if len(held) > 1 and isinstance(port, CombinedCardPort):
                    now = await port.edit_together(where, await self._cards_of(held, viewer, person, shown))
                else:
                    held = [incident_id]
                    now = await port.edit(where, shown)
            except CardFailed as exc:
                log.warning(
                    "%s: incident #%d: the card of %s was not updated: %s", self._platform, card.id, viewer, exc
                )
                return
        for number in held:
            if now is None:
                self.locations.drop(number, viewer, where.message)  # deleted by hand: nothing to update any more
            elif now != where:
                self.remember(number, viewer, now)

    async def _cards_of(self, incidents: list[int], viewer: str, person: Person | None, known: Card) -> list[Card]:
        """A combined card's incidents as `viewer` may see them now (`known`: the one that just changed)."""
        actor = OVERVIEW_ACTOR if viewer == OVERVIEW else self._service.actor_by_id(viewer)
        cards: list[Card] = []
        for number in incidents:
            if number == known.id:
                cards.append(known)
                continue
            shown = await asyncio.to_thread(self._service.show, number, actor) if actor is not None else None
            if shown is not None and shown.card is not None:
                leadership = person is not None and person.is_leadership
                cards.append(shown.card if leadership else replace(shown.card, reporter=None))
        return cards

    # -- away ---------------------------------------------------------------------------------------------------

    async def retire(self, incident_id: int, viewer: str, where: CardAddress, why: Withdrawal) -> bool:
        """Withdraw one copy; True when it went. One that could not be withdrawn is kept, to be tried again."""
        async with self._lock(where.message):
            try:
                await self.port.withdraw(where, self._texts.withdrawn(incident_id, why))
            except CardFailed as exc:
                log.warning(
                    "%s: incident #%d: the card of %s not withdrawn: %s", self._platform, incident_id, viewer, exc
                )
                return False
            self._withdrawn[where.message] = None
            while len(self._withdrawn) > WITHDRAWN_KEPT:
                self._withdrawn.popitem(last=False)
        self.locations.drop(incident_id, viewer, where.message)
        others = [n for n in self.locations.together(where.message) if n != incident_id]
        self.locations.part(where.message)
        for number in others:  # they were on the same combined card: each gets a card of its own again
            if self._holds_as(number, viewer, where.message):
                self.locations.drop(number, viewer, where.message)
                if viewer == OVERVIEW:
                    await self._renew_overview(number)
                else:
                    await self.deliver(number, [PersonId(viewer)], only_open=True)
        return True

    async def withdraw(self, incident_id: int, why: Withdrawal = Withdrawal.ERASED) -> int:
        """Withdraw every copy (AVG: the excerpt must not outlive its erasure in chat); how many went."""
        copies = self.copies(incident_id)
        return sum([await self.retire(incident_id, viewer, where, why) for viewer, where in copies.items()])

    async def renew(self, incident_id: int) -> bool:
        """Replace every copy by a fresh one as the incident reads now (its text changed: an edit would keep the old
        text around). Old copies are withdrawn; while the incident is open each viewer who may still see it gets a
        new one. True when no old copy is left and every new one went; otherwise it is tried again (a viewer already
        renewed is skipped)."""
        viewers = self.copies(incident_id)
        await self.withdraw(incident_id, Withdrawal.CHANGED)
        left = self.copies(incident_id)
        people = [PersonId(v) for v in viewers if v != OVERVIEW and v not in left]
        failures = await self.deliver(incident_id, people, only_open=True)
        if OVERVIEW in viewers and OVERVIEW not in left:
            failures += await self._renew_overview(incident_id)
        return not left and not failures

    async def _renew_overview(self, incident_id: int) -> list[str]:
        shown = await asyncio.to_thread(self._service.show, incident_id, Actor(key="system", admin=True))
        if shown.card is None or shown.card.status not in OPEN:
            return []
        try:  # the overview is leadership's room, but never names the reporter (others may be in it)
            where = await self.port.send(None, replace(shown.card, reporter=None))
        except CardFailed as exc:
            log.error("%s: incident #%d: the overview card was not renewed: %s", self._platform, incident_id, exc)
            return [f"overview card: {exc}"]
        if where is not None:
            self.remember(incident_id, OVERVIEW, where)
        return []

    async def withdraw_departed(self) -> int:
        """Withdraw the copies held by people who are no longer on the school's roster; how many went."""
        withdrawn = 0
        for incident_id in sorted(self.locations.with_copies()):
            for viewer, where in self.copies(incident_id).items():
                if viewer != OVERVIEW and self._viewer(viewer) is None:
                    withdrawn += await self.retire(incident_id, viewer, where, Withdrawal.LEFT)
        if withdrawn:
            log.info("%s: withdrew %d card(s) of reviewers who left the school", self._platform, withdrawn)
        return withdrawn

    def _lock(self, message: str) -> asyncio.Lock:
        lock = self._message_locks.get(message)
        if lock is None:
            lock = self._message_locks[message] = asyncio.Lock()
        return lock

    def _holds_as(self, incident_id: int, viewer: str, message: str) -> bool:
        """`viewer`'s copy of this incident is `message`."""
        copy = self.copies(incident_id).get(viewer)
        return copy is not None and copy.message == message

    def _viewer(self, viewer: str) -> Person | None:
        if viewer == OVERVIEW:
            return None
        actor = self._service.actor_by_id(viewer)
        return actor.person if actor is not None else None
