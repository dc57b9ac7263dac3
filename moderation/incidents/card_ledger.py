"""The lifecycle of an incident's chat cards on one platform, written once for every platform.

Which copies exist and where (card_locations.py), what each viewer may see (the ReviewService decides, and records
the read), refreshing every copy after a change, the card for reviewers an escalation added, and withdrawing the
copies when the incident's text is erased (AVG) or their viewer left the school. The platform only sends, edits and
withdraws one copy at a time, through its CardPort.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import replace

from moderation.incidents.access import Actor
from moderation.incidents.card_locations import CardLocations
from moderation.incidents.cards import Card
from moderation.incidents.review import ReviewResult, ReviewService
from moderation.model import Person, PersonId
from moderation.ports import OVERVIEW, CardAddress, CardFailed, CardPort
from moderation.texts import Texts, Withdrawal

log = logging.getLogger(__name__)

OPEN = ("open", "in-review")


class CardLedger:
    def __init__(
        self, port: CardPort, locations: CardLocations, service: ReviewService, texts: Texts, *, platform: str
    ) -> None:
        self.port = port
        self.locations = locations
        self._service = service
        self._texts = texts
        self._platform = platform  # for the log only

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
        """One copy edited to `card`'s state as `viewer` may see it."""
        person = person or self._viewer(viewer)
        leadership = person is not None and person.is_leadership
        shown = card if leadership else replace(card, reporter=None)
        try:
            now = await self.port.edit(where, shown)
        except CardFailed as exc:
            log.warning("%s: incident #%d: the card of %s was not updated: %s", self._platform, card.id, viewer, exc)
            return
        if now is None:
            self.locations.drop(incident_id, viewer, where.message)  # deleted by hand: nothing to update any more
        elif now != where:
            self.remember(incident_id, viewer, now)

    # -- away ---------------------------------------------------------------------------------------------------

    async def retire(self, incident_id: int, viewer: str, where: CardAddress, why: Withdrawal) -> bool:
        """Withdraw one copy; True when it went. One that could not be withdrawn is kept, to be tried again."""
        try:
            await self.port.withdraw(where, self._texts.withdrawn(incident_id, why))
        except CardFailed as exc:
            log.warning("%s: incident #%d: the card of %s not withdrawn: %s", self._platform, incident_id, viewer, exc)
            return False
        self.locations.drop(incident_id, viewer, where.message)
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

    def _viewer(self, viewer: str) -> Person | None:
        if viewer == OVERVIEW:
            return None
        actor = self._service.actor_by_id(viewer)
        return actor.person if actor is not None else None
