"""Each reviewer's own incident cards, in a direct room between the bot and that reviewer (R12, AVG).

Why not one shared room: everyone in a room reads every card in it, while a mentor may only see their own
students' incidents. So each routed reviewer (a person id from the routing) gets the card in their direct room with
the bot, rendered by the core's `ReviewService.show` as that reviewer (who may see it is decided there, the read is
recorded, the reporter of a report is shown to school leadership only). A reviewer without a Matrix account gets no
card here: they find the incident in the daily digest and `schoolwacht incidents`. The shared review room stays as
school leadership's overview.

Copies never outlive what they show: when an incident's text changes (an erasure replaced a name) every copy is
redacted — an edit would keep the old text in the edit history — and, while the incident is open, a fresh card goes
to each viewer who may still see it (`renew`); a reviewer who left the school loses their copies (`withdraw_departed`).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace

from adapters.matrix.calls import MatrixCallFailed
from adapters.matrix.card import replacement, review_card_content
from moderation.incidents.access import Actor
from moderation.incidents.cards import Card
from moderation.incidents.review import ReviewService
from moderation.model import OPEN_STATUSES, AccountId, Person, PersonId, Platform
from moderation.ports import Directory, StateStore

log = logging.getLogger(__name__)

CARD_KEY = "matrix.card."  # event id of a card -> incident id (reactions on the card find their incident)
# incident id -> {viewer: [room id, card event id, edit event ids ...]}: every copy of its card, kept up to date
COPIES_KEY = "matrix.copies."
OVERVIEW = "overview"  # the viewer of the review room's copy
INDEX_KEY = "matrix.copies.index"  # JSON list of the incidents that have copies in chat (to sweep them)


def escalation_people(level: str | None, directory: Directory) -> list[PersonId]:
    """Whom an escalation adds (as the ReviewService assigns them): the coordinator, else school leadership."""
    people = list(directory.coordinators()) if level == "coordinator" else []
    return [p.id for p in people or directory.leadership()]


def matrix_account(person: Person) -> AccountId | None:
    for account in person.accounts:
        if account.platform is Platform.MATRIX:
            return account.id
    return None


class ReviewerCards:
    def __init__(
        self,
        service: ReviewService,
        state: StateStore,
        direct_room: Callable[[AccountId], Awaitable[str]],
        send: Callable[..., Awaitable[str]],  # (room id, content, *, txn=None) -> event id
        redact: Callable[[str, str, str], Awaitable[None]],
    ) -> None:
        self._service = service
        self._state = state
        self._direct_room = direct_room
        self._send = send
        self._redact = redact

    def copies(self, incident_id: int) -> dict[str, list[str]]:
        raw = self._state.get(f"{COPIES_KEY}{incident_id}")
        try:
            found = json.loads(raw) if raw else {}
        except ValueError:
            found = {}
        return found if isinstance(found, dict) else {}

    def remember(self, incident_id: int, viewer: str, room_id: str, event_id: str) -> None:
        """A copy of the card was sent: reactions on it find the incident, and a change updates it."""
        if not event_id:
            return
        copies = self.copies(incident_id)
        copies[viewer] = [room_id, event_id]
        self._save(incident_id, copies)
        self._state.set(CARD_KEY + event_id, str(incident_id))

    def _save(self, incident_id: int, copies: dict[str, list[str]]) -> None:
        self._state.set(f"{COPIES_KEY}{incident_id}", json.dumps(copies))
        known = self.with_copies()
        if bool(copies) != (incident_id in known):
            known = known | {incident_id} if copies else known - {incident_id}
            self._state.set(INDEX_KEY, json.dumps(sorted(known)))

    def with_copies(self) -> set[int]:
        """The incidents whose cards are in chat (as far as this index knows: it was added later than the copies)."""
        try:
            found = json.loads(self._state.get(INDEX_KEY) or "[]")
        except ValueError:
            return set()
        return {n for n in found if isinstance(n, int)} if isinstance(found, list) else set()

    async def deliver(
        self, incident_id: int, people: Iterable[PersonId], *, txn: str | None = None, only_open: bool = False
    ) -> list[str]:
        """Send the card to each person's direct room; what could not be delivered (empty: all went well).

        People without a Matrix account, and people the service does not allow to see the incident, are skipped
        (the service records a refusal); a card already sent to someone is not sent again. With `only_open`, a
        closed incident's card is not sent."""
        failures: list[str] = []
        have = self.copies(incident_id)
        for pid in dict.fromkeys(people):
            if str(pid) in have:
                continue
            actor = self._service.actor_by_id(str(pid))
            account = matrix_account(actor.person) if actor is not None and actor.person is not None else None
            if actor is None or account is None:
                log.info(
                    "matrix: incident #%d: %s has no Matrix account (overview room and digest only)", incident_id, pid
                )
                continue
            shown = await asyncio.to_thread(self._service.show, incident_id, actor)
            if shown.card is None:
                log.info("matrix: incident #%d: not delivered to %s: %s", incident_id, pid, shown.message)
                continue
            if only_open and shown.card.status not in OPEN_STATUSES:
                continue
            try:
                room_id = await self._direct_room(account)
                sent_txn = f"{txn}-{pid}" if txn else None  # one per copy: sent again, it is not posted twice
                event_id = await self._send(room_id, review_card_content(shown.card), txn=sent_txn)
            except MatrixCallFailed as exc:
                log.error("matrix: incident #%d: card for %s not delivered: %s", incident_id, pid, exc)
                failures.append(f"card for {pid}: {exc}")
                continue
            self.remember(incident_id, str(pid), room_id, event_id)
        return failures

    async def refresh(self, incident_id: int, card: Card) -> None:
        """Edit every copy of the card to `card`'s state (the reporter only in school leadership's own copies).
        A copy that cannot be edited is logged: the change itself is done and answered."""
        copies = self.copies(incident_id)
        for viewer, events in copies.items():
            actor = self._service.actor_by_id(viewer) if viewer != OVERVIEW else None
            leadership = actor is not None and actor.person is not None and actor.person.is_leadership
            shown = card if leadership else replace(card, reporter=None)
            try:
                edit = await self._send(events[0], replacement(events[1], review_card_content(shown)))
            except MatrixCallFailed as exc:
                log.warning("matrix: incident #%d: the card of %s was not updated: %s", incident_id, viewer, exc)
                continue
            if edit:
                events.append(edit)  # an edit holds the text too: withdrawing the card must redact it as well
        self._save(incident_id, copies)

    async def withdraw(self, incident_id: int, reason: str) -> int:
        """Redact every copy of the card and its edits (AVG: the excerpt must not outlive its erasure in chat);
        how many copies went. A copy that could not be redacted is kept, to be tried again next time."""
        copies = self.copies(incident_id)
        withdrawn = 0
        for viewer, events in list(copies.items()):
            room_id, *event_ids = events
            try:
                for event_id in reversed(event_ids):  # the edits first: the original goes last
                    await self._redact(room_id, event_id, reason)
            except MatrixCallFailed as exc:
                log.warning("matrix: incident #%d: the card of %s was not withdrawn: %s", incident_id, viewer, exc)
                continue
            del copies[viewer]
            withdrawn += 1
        self._save(incident_id, copies)
        return withdrawn

    async def renew(self, incident_id: int, reason: str) -> bool:
        """Replace every copy by a fresh one as the incident reads now: the old copies (and their edits) are redacted,
        and while the incident is open each viewer who may still see it gets a new card. True when no old copy is
        left and every new one was delivered; otherwise it is tried again (a viewer already renewed is skipped)."""
        viewers = self.copies(incident_id)
        await self.withdraw(incident_id, reason)
        left = self.copies(incident_id)
        people = [PersonId(v) for v in viewers if v != OVERVIEW and v not in left]
        failures = await self.deliver(incident_id, people, only_open=True)
        if OVERVIEW in viewers and OVERVIEW not in left:
            failures += await self._renew_overview(incident_id, viewers[OVERVIEW][0])
        return not left and not failures

    async def _renew_overview(self, incident_id: int, room_id: str) -> list[str]:
        shown = await asyncio.to_thread(self._service.show, incident_id, Actor(key="system", admin=True))
        if shown.card is None or shown.card.status not in OPEN_STATUSES:
            return []
        try:  # the overview is leadership's room, but never names the reporter (others may be in it)
            event_id = await self._send(room_id, review_card_content(replace(shown.card, reporter=None)))
        except MatrixCallFailed as exc:
            log.error("matrix: incident #%d: the overview card was not renewed: %s", incident_id, exc)
            return [f"overview card: {exc}"]
        self.remember(incident_id, OVERVIEW, room_id, event_id)
        return []

    async def withdraw_departed(self, reason: str = "left the school") -> int:
        """Redact the copies held by people who are no longer on the school's roster; how many went."""
        withdrawn = 0
        for incident_id in sorted(self.with_copies()):
            copies = self.copies(incident_id)
            for viewer, events in list(copies.items()):
                if viewer == OVERVIEW or self._service.actor_by_id(viewer) is not None:
                    continue
                room_id, *event_ids = events
                try:
                    for event_id in reversed(event_ids):
                        await self._redact(room_id, event_id, reason)
                except MatrixCallFailed as exc:
                    log.warning(
                        "matrix: incident #%d: the card of %s (left) was not withdrawn: %s", incident_id, viewer, exc
                    )
                    continue
                del copies[viewer]
                withdrawn += 1
            self._save(incident_id, copies)
        if withdrawn:
            log.info("matrix: withdrew %d card(s) of reviewers who left the school", withdrawn)
        return withdrawn
