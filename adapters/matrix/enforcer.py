"""The Matrix Enforcer: redactions, private notices (in a direct room with the person) and incident cards.

An edit counts only for its own sender's message: before an edit is judged (`checked_edit`) and again before any
redaction of an original (`delete`), the original's sender is read from the homeserver; an edit that claims
someone else's message is judged and removed on its own, and the other person's message is never touched.

An incident's card goes to each of its reviewers in their own direct room (reviewers.py) and to the review room,
which is school leadership's overview. Each call raises MatrixCallFailed when it could not be done after retries
(for a card: when any copy could not be delivered, after trying all); the pipeline records that on the incident.
In a burst the outbox's workers bring one viewer several incidents at once (`deliver_cards`): one combined card.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from nio import AsyncClient, JoinedMembersResponse, RoomCreateResponse, RoomPreset

from adapters.matrix.calls import MatrixCallFailed, call
from adapters.matrix.card import card_content
from adapters.matrix.config import MatrixConfig
from adapters.matrix.person_data import DM_KEY, NOTICE_PLAN_KEY
from adapters.matrix.reviewers import CARD_KEY
from adapters.matrix.translate import edit_on_its_own, sender_of
from moderation.model import AccountId, Message, PersonId
from moderation.notice_plans import NoticeDM, NoticePlans, Resumed
from moderation.ports import OVERVIEW, CardAddress, IncidentDraft, IncidentRef, StateStore
from moderation.texts import Texts

if TYPE_CHECKING:
    from adapters.matrix.reviewers import ReviewerCards
    from adapters.matrix.room_sends import RoomSends

log = logging.getLogger(__name__)

# Characters of one notice (a burst's beyond it goes on more): well inside Matrix's 64 KB event, \u-escaped too.
NOTICE_LIMIT = 4000
SENDERS_KEPT = 2048  # originals whose sender was looked up (edits come in bursts on the same message)
ENCRYPTION_STATE = {"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}


def notice(text: str) -> dict[str, str]:
    return {"msgtype": "m.notice", "body": text}


def _event(message: Message) -> str:
    return f"{message.room_id} {message.event_id}"


def _key(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]


class MatrixEnforcer:
    def __init__(
        self,
        client: AsyncClient,
        config: MatrixConfig,
        state: StateStore,
        person_name: Callable[[PersonId], str],
        texts: Texts,
    ) -> None:
        self._client = client
        self._config = config
        self._state = state
        self._person_name = person_name
        self._texts = texts
        # Set by the adapter: nio knows each room before a send, and sends into an encrypted room one at a time.
        self.room_sends: RoomSends | None = None
        # Set by the adapter when reviewing is on: each reviewer's own card in their direct room.
        self.reviewer_cards: ReviewerCards | None = None
        self._senders: OrderedDict[tuple[str, str], str] = OrderedDict()
        # Set by the adapter: this installation's prefix for transaction ids. A send or redaction done again after a
        # crash reuses its transaction id, and the homeserver answers with the first event instead of a second one.
        self.txn_prefix = "sw"
        self._room_locks: dict[str, asyncio.Lock] = {}
        self.notices = NoticePlans(state, NOTICE_PLAN_KEY, texts.notices.several, NOTICE_LIMIT)

    async def checked_edit(self, message: Message) -> Message:
        """`message` itself when it is no edit or edits its sender's own message; otherwise the edit on its own (and
        marked forged when the original is someone else's), so that nothing is done to the other person's message."""
        original = message.message_id
        if not message.is_edit or original is None or original == message.event_id:
            return message
        sender = await self.sender_of(message.room_id, original)
        if sender == message.author:
            return message
        if sender is None:
            log.warning(
                "matrix: edit %s in %s names %s, which cannot be read: judged on its own",
                message.event_id,
                message.room_id,
                original,
            )
        else:
            log.warning(
                "matrix: forged edit %s in %s: %s claims %s's message %s; only the edit is acted on",
                message.event_id,
                message.room_id,
                message.author,
                sender,
                original,
            )
        return edit_on_its_own(message, sender)

    async def sender_of(self, room_id: str, event_id: str) -> str | None:
        """Who sent event `event_id` (read from the homeserver, then remembered); None when it cannot be read."""
        key = (room_id, event_id)
        known = self._senders.get(key)
        if known is not None:
            return known
        try:
            response = await self._call(
                f"fetch {event_id} in {room_id}", lambda: self._client.room_get_event(room_id, event_id)
            )
        except MatrixCallFailed as exc:
            log.warning("matrix: cannot read event %s in %s: %s", event_id, room_id, exc)
            return None
        event = getattr(response, "event", None)
        source = getattr(event, "source", None)
        sender = sender_of(source) if isinstance(source, Mapping) else None
        if sender is not None:
            self._senders[key] = sender
            while len(self._senders) > SENDERS_KEPT:
                self._senders.popitem(last=False)
        return sender

    async def delete(self, message: Message, reason: str) -> None:
        targets = [message.target_id]
        if message.is_edit and message.event_id != message.target_id:
            targets.append(message.event_id)  # the edit event carries the new text too
            if await self.sender_of(message.room_id, message.target_id) != message.author:
                targets = [message.event_id]  # never someone else's message, whatever the edit claims
        for event_id in targets:
            txn = f"{self.txn_prefix}-redact-{_key(message.room_id, event_id)}"
            await self._call(
                f"redact {event_id} in {message.room_id}",
                functools.partial(self._client.room_redact, message.room_id, event_id, reason=reason[:300], tx_id=txn),
            )

    async def joined_members(self, room_id: str) -> list[str]:
        """Everyone joined to the room now (asked of the homeserver: the sync loads members lazily)."""
        response = await self._call(f"read the members of {room_id}", lambda: self._client.joined_members(room_id))
        assert isinstance(response, JoinedMembersResponse)
        return [member.user_id for member in response.members]

    async def redact(self, room_id: str, event_id: str, reason: str) -> None:
        await self._call(
            f"redact {event_id} in {room_id}",
            functools.partial(self._client.room_redact, room_id, event_id, reason=reason[:300]),
        )

    async def notify_sender(self, message: Message, text: str) -> None:
        await self.notify_sender_together([(message, text)])

    async def notify_sender_together(self, notices: Sequence[tuple[Message, str]]) -> None:
        """One notice about one or several messages of one person, planned in the state table before it is sent and
        marked once sent (`moderation/notice_plans.py`): after a crash the same plan is sent again with its
        transaction id, the homeserver answers with the first event, and a message told of is never told again."""
        user = notices[0][0].author

        async def send(dm: NoticeDM, _resumed: Resumed | None) -> str:
            event_id = await self.send_private(user, dm.text, txn=self._notice_txn(dm.about))
            about = " ".join(sorted(e.split(" ", 1)[1] for e in dm.about))
            log.info("matrix: notice %s to %s about %s", event_id, user, about)
            return event_id

        await self.notices.tell(user, [(_event(message), text) for message, text in notices], send)

    def _notice_txn(self, about: Sequence[str]) -> str:
        # The same as before notices had a shared plan: one sent before an upgrade is still known to Synapse.
        if len(about) == 1:
            return f"{self.txn_prefix}-notice-{_key(*about[0].split(' ', 1))}"
        return f"{self.txn_prefix}-notices-{_key(*sorted(about))}"

    def card_viewers(self, draft: IncidentDraft) -> Sequence[str]:
        """Each routed reviewer's own copy (when reviewing is on), then the review room's overview copy."""
        viewers: list[str] = []
        if self.reviewer_cards is not None:
            viewers.extend(dict.fromkeys(str(r.person_id) for r in draft.reviewers))
        if self._config.review_room_id is not None:
            viewers.append(OVERVIEW)
        return viewers

    async def deliver_card(self, incident: IncidentRef, viewer: str) -> None:
        """One copy of the card. Sent with a transaction id of its own: delivered again after a crash, the
        homeserver answers with the first copy instead of posting a second one."""
        txn = f"{self.txn_prefix}-card-{incident.id}-{_key(viewer)}"
        if viewer != OVERVIEW:
            if self.reviewer_cards is None:
                return
            failures = await self.reviewer_cards.deliver(incident.id, [PersonId(viewer)], key=txn)
            if failures:
                raise MatrixCallFailed(f"card of incident #{incident.id}", "; ".join(failures))
            return
        room = self._config.review_room_id
        if room is None:
            return
        if self.reviewer_cards is not None:
            if OVERVIEW in self.reviewer_cards.copies(incident.id):
                return  # on a combined card already (the process ended before that was marked done)
            planned = await self.reviewer_cards.finish_plan(incident.id, OVERVIEW)
            if planned is not None:
                if planned:
                    raise MatrixCallFailed(f"overview card of incident #{incident.id}", "; ".join(planned))
                return
        event_id = await self.send(room, card_content(incident, self._person_name, self._texts), txn=txn)
        if self.reviewer_cards is not None:
            self.reviewer_cards.remember(incident.id, OVERVIEW, CardAddress(room, event_id))
        else:  # a reaction on the card (👀, ❌, ...) must find its incident again
            self._state.set(CARD_KEY + event_id, str(incident.id))

    async def deliver_cards(self, incidents: Sequence[IncidentRef], viewer: str) -> None:
        """One viewer's copies of several incidents as one combined card (as the core shows them to that viewer;
        the overview's as to school leadership, without the reporter). Its transaction id names the viewer and the
        incidents: delivered again after a crash, the homeserver answers with the first one."""
        numbers = sorted(incident.id for incident in incidents)
        if self.reviewer_cards is None or (viewer == OVERVIEW and self._config.review_room_id is None):
            for incident in incidents:
                await self.deliver_card(incident, viewer)
            return
        txn = f"{self.txn_prefix}-cards-{_key(viewer, *map(str, numbers))}"
        failures = await self.reviewer_cards.deliver_together(numbers, viewer, key=txn)
        if failures:
            raise MatrixCallFailed(f"combined card of incidents {numbers}", "; ".join(failures))

    async def announce(self, incident: IncidentRef) -> None:
        """Every copy of the card at once (the pipeline owes them one by one, see deliver_card)."""
        failures: list[str] = []
        viewers = self.card_viewers(incident.draft)
        if not viewers:
            log.info("matrix: no review room configured; incident #%d is in the incident log only", incident.id)
        for viewer in viewers:
            try:
                await self.deliver_card(incident, viewer)
            except MatrixCallFailed as exc:
                failures.append(f"{viewer} card: {exc}")
        if failures:
            raise MatrixCallFailed(f"announce incident #{incident.id}", "; ".join(failures))

    def incident_of_card(self, event_id: str) -> int | None:
        value = self._state.get(CARD_KEY + event_id)
        return int(value) if value and value.isdigit() else None

    def incidents_of_card(self, event_id: str) -> list[int]:
        """The incidents on card `event_id`: several on a burst's combined card, else one (or none)."""
        if self.reviewer_cards is not None:
            return self.reviewer_cards.incidents_on(event_id)
        single = self.incident_of_card(event_id)
        return [single] if single is not None else []

    async def send(
        self, room_id: str, content: dict[str, Any], *, txn: str | None = None, event_type: str = "m.room.message"
    ) -> str:
        """Send a message (encrypted when the room is; unverified devices still get the keys); its event id.
        With `txn`, sending the same message again returns the first one's event id and posts nothing new."""
        turn = self.room_sends.turn(room_id) if self.room_sends is not None else contextlib.nullcontext()
        async with turn:
            response = await self._call(
                f"send to {room_id}",
                lambda: self._client.room_send(room_id, event_type, content, tx_id=txn, ignore_unverified_devices=True),
            )
        return str(getattr(response, "event_id", ""))

    async def send_private(self, user: AccountId, text: str, *, txn: str | None = None) -> str:
        room = await self.direct_room(user)
        return await self.send(room, notice(text), txn=txn)

    def is_direct_room_of(self, user: str, room_id: str) -> bool:
        return self._state.get(DM_KEY + user) == room_id

    def has_direct_room(self, user: str) -> bool:
        return bool(self._state.get(DM_KEY + user))

    def adopt_direct_room(self, user: str, room_id: str) -> bool:
        """`user` opened a direct room with the bot themselves: it becomes theirs, unless they already have one."""
        if self.has_direct_room(user):
            return False
        self._state.set(DM_KEY + user, room_id)
        return True

    def member_changed(self, room_id: str, event: Mapping[str, Any]) -> None:
        """Someone left (or declined) their direct room with the bot: forget it; the next message opens a new one."""
        user = event.get("state_key")
        content = event.get("content")
        membership = content.get("membership") if isinstance(content, Mapping) else None
        if isinstance(user, str) and membership in ("leave", "ban") and self.is_direct_room_of(user, room_id):
            self._state.set(DM_KEY + user, "")
            log.info("matrix: %s left their direct room %s; a new one is made when needed", user, room_id)

    async def direct_room(self, user: AccountId) -> str:
        """The bot's direct room with `user`, created (encrypted where the homeserver allows) and remembered.
        One at a time per person: two notices or cards for them delivered at once must not make two rooms."""
        key = DM_KEY + user
        known = self._state.get(key)
        if known:
            return known
        lock = self._room_locks.setdefault(user, asyncio.Lock())
        async with lock:
            known = self._state.get(key)
            return known or await self._new_direct_room(user)

    async def _new_direct_room(self, user: AccountId) -> str:
        key = DM_KEY + user
        encrypted = self._config.encrypt_direct_rooms
        try:
            room_id = await self._create_direct_room(user, encrypted=encrypted)
        except MatrixCallFailed as exc:
            if not encrypted or exc.errcode is None or exc.errcode == "M_LIMIT_EXCEEDED":
                raise
            log.warning("matrix: the homeserver refused an encrypted room with %s (%s); unencrypted instead", user, exc)
            room_id = await self._create_direct_room(user, encrypted=False)
        self._state.set(key, room_id)
        if self.room_sends is not None:
            # Know the room whole now (a sync may have shown it before its invite), so that the first message's room
            # key is shared with the invited person too.
            await self.room_sends.know(room_id, fresh=True)
        return room_id

    async def _create_direct_room(self, user: AccountId, *, encrypted: bool) -> str:
        what = f"create direct room with {user}"
        response = await self._call(
            what,
            lambda: self._client.room_create(
                is_direct=True,
                invite=[user],
                preset=RoomPreset.trusted_private_chat,
                name="schoolwacht",
                initial_state=[ENCRYPTION_STATE] if encrypted else [],
            ),
        )
        if not isinstance(response, RoomCreateResponse):
            raise MatrixCallFailed(what, f"unexpected answer {type(response).__name__}")
        return str(response.room_id)

    async def _call(self, what: str, operation: Callable[[], Any]) -> Any:
        return await call(what, operation, attempts=self._config.action_attempts, max_delay=self._config.max_backoff_s)
