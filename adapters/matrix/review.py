"""Reviewers on Matrix: review commands (`!ack 12`, `!resolve 12 …`, `!list`) typed in the reviewer's own direct
room with the bot or in the review room (leadership's overview), or given as reactions on an incident card there
(👀 ❌ 🛡️ ⬆️ 🚨), answered in that room with a notice that replies to them; and the daily digest, sent privately.
On a burst's combined card 👀 takes up every incident on it; a decision (❌, an escalation) is about one incident,
so there the answer asks for it by number.

Who may see or change what is decided by the core's ReviewService, from the sender's roster entry; a command in
someone else's direct room is not taken (a direct room is between the bot and one person).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from html import escape
from typing import Any

from aiohttp import ClientError
from nio import AsyncClient, JoinedMembersResponse

from adapters.matrix.calls import MatrixCallFailed
from adapters.matrix.enforcer import MatrixEnforcer
from moderation.digest import Digest
from moderation.incidents.commands import ChatReview, is_command, reaction_command
from moderation.incidents.review import ReviewService
from moderation.model import AccountId, Message, Person, Platform
from moderation.texts import Phrase, Texts

MAX_ANSWER = 16_000  # stay well under Matrix's 64 KiB event limit

log = logging.getLogger(__name__)


class MatrixReview:
    def __init__(
        self,
        service: ReviewService,
        enforcer: MatrixEnforcer,
        review_room_id: str | None,
        texts: Texts,
    ) -> None:
        self._texts = texts
        self._service = service
        self._enforcer = enforcer
        self._room = review_room_id
        self._commands: ChatReview | None = None

    async def check_overview(self, client: AsyncClient, bot: str) -> list[str]:
        """The review room shows every incident: it must be school leadership's only. Say so loudly at start when
        others are in it (the direct-room cards keep working either way); returns who should not be there."""
        if self._room is None:
            return []
        try:
            response = await client.joined_members(self._room)
        except (ClientError, TimeoutError, OSError) as exc:  # the start goes on; the check is advice
            log.warning("matrix: cannot see who is in the review room %s: %s", self._room, exc)
            return []
        if not isinstance(response, JoinedMembersResponse):
            log.warning("matrix: cannot see who is in the review room %s: %s", self._room, response)
            return []
        others = []
        for member in response.members:
            actor = self._service.actor_for(Platform.MATRIX, AccountId(member.user_id))
            person = actor.person if actor is not None else None
            if member.user_id != bot and (person is None or not person.is_leadership):
                others.append(f"{member.user_id} ({person.name})" if person is not None else member.user_id)
        if others:
            log.warning(
                "matrix: the review room %s has %d member(s) who are not school leadership: %s. It shows every "
                "student's incidents (AVG): only school leadership and the bot belong there",
                self._room,
                len(others),
                ", ".join(others[:20]),
            )
        return others

    def is_review_room(self, room_id: str, sender: str) -> bool:
        """The review room, or the sender's own direct room with the bot."""
        return (self._room is not None and room_id == self._room) or self._enforcer.is_direct_room_of(sender, room_id)

    def is_review_command(self, message: Message) -> bool:
        return is_command(message.text) and self.is_review_room(message.room_id, message.author)

    async def handle(self, message: Message) -> None:
        """Run the command as the sender (per the roster) and reply in the room it was typed in."""
        actor = self._service.actor_for(Platform.MATRIX, message.author)
        reply = await self._chat().answer(actor, message.text.strip())
        await self._reply(message.room_id, message.event_id, reply)

    def _chat(self) -> ChatReview:
        """The chat front end, with the card ledger once the adapter has one (set after this object is built)."""
        if self._commands is None or self._commands.ledger is not self._enforcer.reviewer_cards:
            self._commands = ChatReview(self._service, self._texts, self._enforcer.reviewer_cards)
        return self._commands

    async def _reply(self, room_id: str, event_id: str, reply: str) -> None:
        if len(reply) > MAX_ANSWER:
            reply = reply[: MAX_ANSWER - 1] + "…"
        content: dict[str, Any] = {
            "msgtype": "m.notice",
            "body": reply,
            "format": "org.matrix.custom.html",
            "formatted_body": f"<pre>{escape(reply)}</pre>",
        }
        if event_id:
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": event_id}}
        await self._enforcer.send(room_id, content)

    async def handle_reaction(self, room_id: str, event: Mapping[str, Any]) -> None:
        """A reaction on a card in the review room or the sender's own room: 👀 ack, ❌ dismiss, 🛡️/⬆️/🚨 escalate."""
        relates = (event.get("content") or {}).get("m.relates_to") or {}
        if not isinstance(relates, Mapping) or relates.get("rel_type") != "m.annotation":
            return
        card, key, sender = relates.get("event_id"), relates.get("key"), event.get("sender")
        if not (isinstance(card, str) and isinstance(key, str) and isinstance(sender, str)):
            return
        if not self.is_review_room(room_id, sender):
            return
        incidents = self._enforcer.incidents_of_card(card)
        commands = [c for n in incidents if (c := reaction_command(key, n)) is not None]
        if not commands:
            return  # any other reaction, or not on a card: just a reaction
        actor = self._service.actor_for(Platform.MATRIX, AccountId(sender))
        if actor is None:
            reply = self._texts.phrase(Phrase.NOT_A_REVIEWER)
        elif len(commands) > 1 and commands[0].verb != "ack":
            numbers = ", ".join(f"#{n}" for n in incidents)
            reply = self._texts.phrase(Phrase.COMBINED_PICK).format(numbers=numbers, first=incidents[0])
        else:
            reply = "\n".join([await self._chat().run(actor, command) for command in commands])
        await self._reply(room_id, str(event.get("event_id", "")), reply)

    async def send_digest(self, reviewer: Person, digest: Digest) -> bool:
        """A private message with the digest; False when the reviewer has no Matrix account or it failed."""
        accounts = [a.id for a in reviewer.accounts if a.platform is Platform.MATRIX]
        if not accounts:
            return False
        try:
            await self._enforcer.send_private(accounts[0], self._texts.digest(reviewer, digest))
        except MatrixCallFailed as exc:
            log.warning("matrix: digest for %s not delivered: %s", reviewer.id, exc)
            return False
        return True
