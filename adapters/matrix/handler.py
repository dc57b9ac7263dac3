"""What the adapter does with each timeline event: judge messages (polls, room names and topics too), handle
`!report`, watch power levels; in announcement rooms, judge whatever else a non-poster sends (R10 backstop).

Events that cannot be decrypted yet wait (a bounded number of sync batches) for their room key, logged once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from nio import AsyncClient, MegolmEvent, RoomGetEventResponse
from nio.exceptions import EncryptionError

from adapters.matrix.calls import MatrixCallFailed, call
from adapters.matrix.config import MatrixConfig
from adapters.matrix.enforcer import MatrixEnforcer
from adapters.matrix.event_fields import MalformedEvent
from adapters.matrix.read_catch_up import ReadCatchUp
from adapters.matrix.report_command import ReportCommand, report_command
from adapters.matrix.review import MatrixReview
from adapters.matrix.translate import (
    JUDGED_TYPES,
    NOT_POSTING,
    event_message,
    message_from_event,
    read_reaction,
    redacted_event,
)
from adapters.matrix.translate_members import member_change_from_event
from moderation.announcements.reads import ConfirmRead, ReadOutcome, WithdrawRead
from moderation.model import AccountId, EventId, Platform, RoomId, RoomKind
from moderation.pipeline import Moderator
from moderation.texts import Phrase

log = logging.getLogger(__name__)

# (platform, sender, text, the command's event id) → the reply, or None when it is not such a command.
DirectCommands = Callable[[Platform, str, str, str], Awaitable[str | None]]


@dataclass
class _Waiting:
    event: MegolmEvent
    room_id: str
    batches_left: int


class EventHandler:
    def __init__(
        self,
        client: AsyncClient,
        config: MatrixConfig,
        moderator: Moderator,
        enforcer: MatrixEnforcer,
        on_power_levels: Callable[[str], Awaitable[object]],
        review: MatrixReview | None = None,
    ) -> None:
        self._client = client
        self._config = config
        self._moderator = moderator
        self._enforcer = enforcer
        self._on_power_levels = on_power_levels
        self._review = review
        self._waiting: dict[str, _Waiting] = {}
        # Commands typed in a person's direct room with the bot (a teacher's `!mededeling`): the reply, or None.
        self.direct_commands: DirectCommands | None = None
        self.read_confirmations: ConfirmRead | None = None  # "Gelezen ✓": a ✅ on a teacher's announcement
        self.read_withdrawals: WithdrawRead | None = None  # that ✅ removed again
        self.read_catch_up: ReadCatchUp | None = None  # confirmations from before their reactions were kept

    async def handle(self, room_id: str, event: object) -> None:
        """One timeline event. Raises only for failures worth retrying the batch for (the core failed)."""
        if isinstance(event, MegolmEvent):
            self._wait_for_key(room_id, event)
            return
        source = getattr(event, "source", None)
        if not isinstance(source, Mapping):
            log.warning("matrix: event without a JSON source in %s ignored: %r", room_id, type(event).__name__)
            return
        await self.handle_source(room_id, source)

    async def handle_source(self, room_id: str, source: Mapping[str, Any]) -> None:
        event_type = source.get("type")
        if source.get("sender") == self._config.user_id:
            return
        if event_type == "m.room.power_levels" and source.get("state_key") == "":
            if self._is_announcement(room_id):
                await self._on_power_levels(room_id)
            return
        if event_type == "m.room.member":
            self._enforcer.member_changed(room_id, source)
            await self._member(room_id, source)
            return
        announcement = self._is_announcement(room_id)
        if event_type == "m.reaction" and self._review is not None and not announcement:
            await self._review.handle_reaction(room_id, source)
            return
        if announcement and event_type == "m.reaction" and self._is_read_confirmation(room_id, source):
            return  # counted; the reaction stays (any other reaction goes to the backstop below)
        if announcement and event_type == "m.room.redaction":
            await self._withdraw_read(room_id, source)
            return
        if not isinstance(event_type, str) or event_type not in JUDGED_TYPES:
            if announcement and isinstance(event_type, str) and event_type not in NOT_POSTING:
                await self._backstop(room_id, source)
            return
        try:
            command = report_command(room_id, source)
            if command is not None:
                await self._report(room_id, command)
                return
            message = message_from_event(room_id, source)
        except MalformedEvent as exc:
            log.warning("matrix: malformed event %s in %s skipped: %s", source.get("event_id"), room_id, exc)
            sender, event_id = source.get("sender"), source.get("event_id")
            if "!report" in str(exc) and isinstance(sender, str):
                if isinstance(event_id, str) and not self._enforcer.is_direct_room_of(sender, room_id):
                    await self._hide(room_id, EventId(event_id))  # an unusable report still shows who wanted one
                await self._tell(sender, self._moderator.texts.phrase(Phrase.REPORT_HOW))
            return
        if message is None:
            return
        direct = self._enforcer.is_direct_room_of(message.author, room_id)
        if self.direct_commands is not None and direct and not message.is_edit:  # an edited command is not a new one
            reply = await self.direct_commands(Platform.MATRIX, message.author, message.text, message.event_id)
            if reply is not None:
                await self._tell(message.author, reply)
                return
        if self._review is not None and event_type == "m.room.message" and self._review.is_review_command(message):
            await self._review.handle(message)
            return
        if self._is_private(room_id, message.author, direct=direct):
            # Leadership's overview and a person's direct room with the bot are no social-media posts: a reviewer
            # quoting the message under review must not become an incident about the reviewer (as Discord DMs).
            log.debug("matrix: %s in %s is not judged (review room or direct room)", message.event_id, room_id)
            return
        await self._moderator.handle(await self._enforcer.checked_edit(message), self._enforcer)

    def _is_read_confirmation(self, room_id: str, source: Mapping[str, Any]) -> bool:
        found = read_reaction(source) if self.read_confirmations is not None else None
        if found is None or self.read_confirmations is None:
            return False
        target, sender = found
        reaction = source.get("event_id")
        reaction = reaction if isinstance(reaction, str) else ""
        outcome = self.read_confirmations(Platform.MATRIX, room_id, target, sender, reaction)
        return outcome in (ReadOutcome.COUNTED, ReadOutcome.ALREADY, ReadOutcome.OWN)

    async def _withdraw_read(self, room_id: str, source: Mapping[str, Any]) -> None:
        """A redaction in an announcement room: when it removes a reader's ✅ (they took it back, or someone
        removed it), that reader no longer counts as having read the post. The bot's own redactions never reach
        here, and a redaction of anything else changes nothing. One that removes no reaction on record may still
        be the ✅ of a confirmation from before reactions were kept: the homeserver's list of reactions tells."""
        redacted = redacted_event(source)
        if redacted is None or self.read_withdrawals is None:
            return
        if self.read_withdrawals(Platform.MATRIX, room_id, redacted):
            return
        sender = source.get("sender")
        if self.read_catch_up is not None and isinstance(sender, str):
            await self.read_catch_up.redacted_by(room_id, sender)

    async def _backstop(self, room_id: str, source: Mapping[str, Any]) -> None:
        """R10 in an announcement room: anything else someone who may not post manages to send (a reaction, a poll
        vote, a change of the room's settings) is judged by who sent it, and removed when they may not."""
        try:
            message = event_message(room_id, source, reactions_open=self._config.read_reactions)
        except MalformedEvent as exc:
            log.warning("matrix: malformed event %s in %s skipped: %s", source.get("event_id"), room_id, exc)
            return
        await self._moderator.handle(message, self._enforcer)

    async def _member(self, room_id: str, source: Mapping[str, Any]) -> None:
        """A join or a rename, judged by the member rules (R7 fictitious senders, R10 staff in student rooms)."""
        try:
            change = member_change_from_event(room_id, source)
        except MalformedEvent as exc:
            log.warning("matrix: malformed member event %s in %s skipped: %s", source.get("event_id"), room_id, exc)
            return
        if change is None or self._is_private(room_id, change.account):
            return
        await self._moderator.handle_member(change, self._enforcer)

    async def retry_waiting(self) -> None:
        """Try the events still waiting for a room key again (keys arrive as to-device messages in later syncs)."""
        for event_id, waiting in list(self._waiting.items()):
            try:
                decrypted = self._client.decrypt_event(waiting.event)
            except EncryptionError:
                waiting.batches_left -= 1
                if waiting.batches_left <= 0:
                    del self._waiting[event_id]
                    log.error(
                        "matrix: gave up on undecryptable event %s in %s from %s (no room key arrived)",
                        event_id,
                        waiting.room_id,
                        waiting.event.sender,
                    )
                continue
            del self._waiting[event_id]
            await self.handle(waiting.room_id, decrypted)

    def _wait_for_key(self, room_id: str, event: MegolmEvent) -> None:
        if event.event_id in self._waiting:
            return
        log.warning(
            "matrix: cannot decrypt event %s in %s from %s yet (session %s); waiting for the room key",
            event.event_id,
            room_id,
            event.sender,
            event.session_id,
        )
        self._waiting[event.event_id] = _Waiting(event, room_id, self._config.undecryptable_batches)

    def _is_private(self, room_id: str, sender: str, *, direct: bool | None = None) -> bool:
        """`direct`: whether it is the sender's direct room with the bot, when the caller already looked it up."""
        if direct is None:
            direct = self._enforcer.is_direct_room_of(sender, room_id)
        if room_id == self._config.review_room_id or direct:
            # ... unless the school configured the room explicitly (policy_for also answers for unconfigured rooms)
            return all(policy.room.id != room_id for policy in self._moderator.rooms(Platform.MATRIX))
        return False

    def _is_announcement(self, room_id: str) -> bool:
        policy = self._moderator.policy_for(Platform.MATRIX, RoomId(room_id))
        return policy is not None and policy.room.kind is RoomKind.ANNOUNCEMENT

    async def _report(self, room_id: str, command: ReportCommand) -> None:
        target = await self._fetch_message(command.target_room or room_id, command.target)
        if not self._enforcer.is_direct_room_of(command.reporter, room_id):
            await self._hide(room_id, command.command_event)
        if target is None:
            await self._tell(command.reporter, self._moderator.texts.phrase(Phrase.REPORT_UNREADABLE))
            return
        outcome = await self._moderator.report(target, command.reporter, command.reason, self._enforcer)
        if not outcome.duplicate:
            await self._tell(command.reporter, self._moderator.texts.phrase(Phrase.REPORT_RECEIVED))

    async def _hide(self, room_id: str, command_event: EventId) -> None:
        """Remove a !report command from a shared room (its sender stays visible on the redacted event, and it was
        readable for a moment: the private way is the message's link in the direct room with the bot)."""
        try:
            await call(
                f"redact report command {command_event}",
                lambda: self._client.room_redact(room_id, command_event, reason="report received"),
                attempts=self._config.action_attempts,
            )
        except MatrixCallFailed as exc:
            log.error("matrix: could not remove the !report command %s: %s", command_event, exc)

    async def _fetch_message(self, room_id: str, event_id: str) -> Any:
        try:
            response = await call(
                f"fetch {event_id}",
                lambda: self._client.room_get_event(room_id, event_id),
                attempts=self._config.action_attempts,
            )
        except MatrixCallFailed as exc:
            log.warning("matrix: reported event %s in %s not available: %s", event_id, room_id, exc)
            return None
        assert isinstance(response, RoomGetEventResponse)
        event = response.event
        if isinstance(event, MegolmEvent):
            try:
                event = self._client.decrypt_event(event)
            except EncryptionError as exc:
                log.warning("matrix: reported event %s in %s cannot be decrypted: %s", event_id, room_id, exc)
                return None
        try:
            return message_from_event(room_id, event.source)
        except MalformedEvent as exc:
            log.warning("matrix: reported event %s in %s is not a readable message: %s", event_id, room_id, exc)
            return None

    async def _tell(self, user: str, text: str) -> None:
        try:
            await self._enforcer.send_private(AccountId(user), text)
        except MatrixCallFailed as exc:
            log.error("matrix: could not send a private notice to %s: %s", user, exc)
