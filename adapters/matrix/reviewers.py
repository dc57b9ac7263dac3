"""Each reviewer's own incident cards, in a direct room between the bot and that reviewer (R12, AVG).

Why not one shared room: everyone in a room reads every card in it, while a mentor may only see their own
students' incidents. So each routed reviewer (a person id from the routing) gets the card in their direct room with
the bot, rendered by the core's `ReviewService.show` as that reviewer (who may see it is decided there, the read is
recorded, the reporter of a report is shown to school leadership only). A reviewer without a Matrix account gets no
card here: they find the incident in the daily digest and `schoolwacht incidents`. The shared review room stays as
school leadership's overview.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from adapters.matrix.calls import MatrixCallFailed
from adapters.matrix.card import review_card_content
from adapters.matrix.config import StateStore
from moderation.incidents.review import ReviewService
from moderation.model import AccountId, Person, PersonId, Platform
from moderation.ports import Directory

log = logging.getLogger(__name__)

CARD_KEY = "matrix.card."  # event id of a card -> incident id (reactions on the card find their incident)
SENT_KEY = "matrix.sent."  # "<incident>.<person>" -> event id of that reviewer's card (never sent twice)


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
        send: Callable[[str, dict[str, Any]], Awaitable[str]],
    ) -> None:
        self._service = service
        self._state = state
        self._direct_room = direct_room
        self._send = send

    async def deliver(self, incident_id: int, people: Iterable[PersonId]) -> list[str]:
        """Send the card to each person's direct room; what could not be delivered (empty: all went well).

        People without a Matrix account, and people the service does not allow to see the incident, are skipped
        (the service records a refusal); a card already sent to someone is not sent again."""
        failures: list[str] = []
        for pid in dict.fromkeys(people):
            sent_key = f"{SENT_KEY}{incident_id}.{pid}"
            if self._state.get(sent_key):
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
            try:
                room_id = await self._direct_room(account)
                event_id = await self._send(room_id, review_card_content(shown.card))
            except MatrixCallFailed as exc:
                log.error("matrix: incident #%d: card for %s not delivered: %s", incident_id, pid, exc)
                failures.append(f"card for {pid}: {exc}")
                continue
            self._state.set(sent_key, event_id or "sent")
            if event_id:
                self._state.set(CARD_KEY + event_id, str(incident_id))
        return failures
