"""Each reviewer's own incident cards, in a direct room between the bot and that reviewer (R12, AVG): the Matrix
card port, and the core's card ledger over it.

Why not one shared room: everyone in a room reads every card in it, while a mentor may only see their own
students' incidents. So each routed reviewer gets the card in their direct room with the bot, as the core's
ReviewService shows it to them. A reviewer without a Matrix account gets no card here: they find the incident in
the daily digest and `schoolwacht incidents`. The shared review room stays as school leadership's overview.

Withdrawing a copy redacts it with all its edits: an edit keeps the old text in the edit history.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from adapters.matrix.calls import MatrixCallFailed
from adapters.matrix.card import combined_card_content, replacement, review_card_content
from moderation.incidents.card_ledger import CardLedger
from moderation.incidents.card_locations import CardLocations, LedgerKeys
from moderation.incidents.cards import Card
from moderation.incidents.review import ReviewService
from moderation.model import AccountId, Person, Platform
from moderation.ports import CardAddress, CardFailed, StateStore
from moderation.texts import Texts

CARD_KEY = "matrix.card."  # event id of a card -> incident id (reactions on the card find their incident)
# incident id -> {viewer: [room id, card event id, edit event ids ...]}: every copy of its card, kept up to date
COPIES_KEY = "matrix.copies."
INDEX_KEY = "matrix.copies.index"  # JSON list of the incidents that have copies in chat (to sweep them)
KEYS = LedgerKeys(copies=COPIES_KEY, by_message=CARD_KEY, listing=INDEX_KEY)


def matrix_account(person: Person) -> AccountId | None:
    for account in person.accounts:
        if account.platform is Platform.MATRIX:
            return account.id
    return None


class MatrixCardPort:
    def __init__(
        self,
        direct_room: Callable[[AccountId], Awaitable[str]],
        send: Callable[..., Awaitable[str]],  # (room id, content, *, txn=None) -> event id
        redact: Callable[[str, str, str], Awaitable[None]],
        texts: Texts,
        overview_room: str | None,
    ) -> None:
        self._direct_room = direct_room
        self._send = send
        self._redact = redact
        self._texts = texts
        self._overview_room = overview_room

    def reaches(self, person: Person) -> bool:
        return matrix_account(person) is not None

    async def send(self, viewer: Person | None, card: Card, *, key: str | None = None) -> CardAddress | None:
        account = matrix_account(viewer) if viewer is not None else None
        try:
            room = await self._direct_room(account) if account is not None else self._overview_room
            if room is None:
                return None
            return CardAddress(room, await self._send(room, review_card_content(card, self._texts), txn=key))
        except MatrixCallFailed as exc:
            raise CardFailed(str(exc)) from exc

    async def edit(self, where: CardAddress, card: Card) -> CardAddress | None:
        return await self._edit(where, review_card_content(card, self._texts))

    async def send_together(self, viewer: Person | None, cards: Sequence[Card], *, key: str) -> CardAddress | None:
        account = matrix_account(viewer) if viewer is not None else None
        try:
            room = await self._direct_room(account) if account is not None else self._overview_room
            if room is None:
                return None
            return CardAddress(room, await self._send(room, combined_card_content(cards, self._texts), txn=key))
        except MatrixCallFailed as exc:
            raise CardFailed(str(exc)) from exc

    async def edit_together(self, where: CardAddress, cards: Sequence[Card]) -> CardAddress | None:
        return await self._edit(where, combined_card_content(cards, self._texts))

    async def _edit(self, where: CardAddress, content: dict[str, str]) -> CardAddress | None:
        try:
            edit = await self._send(where.room, replacement(where.message, content))
        except MatrixCallFailed as exc:
            raise CardFailed(str(exc)) from exc
        return where._replace(edits=(*where.edits, edit)) if edit else where

    async def withdraw(self, where: CardAddress, notice: str) -> None:
        try:
            for event_id in reversed((where.message, *where.edits)):  # the edits first: the original goes last
                await self._redact(where.room, event_id, notice)
        except MatrixCallFailed as exc:
            raise CardFailed(str(exc)) from exc


class ReviewerCards(CardLedger):
    """The card ledger of the Matrix copies (each reviewer's direct room, the review room's overview)."""

    def __init__(
        self,
        service: ReviewService,
        state: StateStore,
        direct_room: Callable[[AccountId], Awaitable[str]],
        send: Callable[..., Awaitable[str]],
        redact: Callable[[str, str, str], Awaitable[None]],
        texts: Texts,
        overview_room: str | None = None,
    ) -> None:
        port = MatrixCardPort(direct_room, send, redact, texts, overview_room)
        super().__init__(port, CardLocations(state, KEYS), service, texts, platform="matrix")
