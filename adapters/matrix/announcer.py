"""The Matrix side of announcements: post in a room, edit the post (`m.replace`), retract it (a redaction),
through the enforcer's own send and redact calls (retries; nio waits out M_LIMIT_EXCEEDED).

A post's transaction id is derived from its key: sent again after a crash (same login), the homeserver answers with
the first event instead of posting a second one. A post that asks for "Gelezen ✓" gets the bot's own ✅ under it,
so a reader's tap on it is the confirmation (where `read_reactions` lets students react at all).
"""

from __future__ import annotations

from adapters.matrix.card import replacement
from adapters.matrix.client import MatrixAdapter
from adapters.matrix.enforcer import MatrixEnforcer
from adapters.matrix.translate import READ_KEY
from moderation.model import AccountId, Platform
from moderation.texts import Phrase, Texts


def announcement_content(text: str) -> dict[str, str]:
    # m.text, not m.notice: an announcement should reach the students' phones like a teacher's post would.
    return {"msgtype": "m.text", "body": text}


class MatrixAnnouncer:
    platform = Platform.MATRIX

    def __init__(self, adapter: MatrixAdapter, texts: Texts) -> None:
        self._adapter = adapter
        self._retract_reason = texts.phrase(Phrase.ANNOUNCEMENT_RETRACTED)
        self.confirms_reads = adapter.config.read_reactions
        self.read_hint = texts.phrase(Phrase.READ_BY_REACTION).format(key=READ_KEY)

    def _enforcer(self) -> MatrixEnforcer:
        if self._adapter.enforcer is None:
            raise RuntimeError("the Matrix adapter is not started")
        return self._adapter.enforcer

    async def post(self, room_id: str, text: str, key: str, *, asks_read: bool = False) -> str:
        enforcer = self._enforcer()
        event_id = await enforcer.send(room_id, announcement_content(text), txn=f"{enforcer.txn_prefix}-ann-{key}")
        if not event_id:
            raise RuntimeError(f"posting in {room_id} gave no event id")
        if asks_read:
            hint = {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": READ_KEY}}
            await enforcer.send(room_id, hint, txn=f"{enforcer.txn_prefix}-read-{key}", event_type="m.reaction")
        return event_id

    async def audience(self, room_id: str, excluding: frozenset[str]) -> int | None:
        members = await self._enforcer().joined_members(room_id)
        return sum(1 for m in members if m != self._adapter.config.user_id and m not in excluding)

    async def find_posted(self, room_id: str, text: str) -> str | None:
        # Nothing to look up: posting again with the same transaction id (same login) returns the first event.
        return None

    async def edit(self, room_id: str, message_id: str, text: str) -> None:
        await self._enforcer().send(room_id, replacement(message_id, announcement_content(text)))

    async def retract(self, room_id: str, message_id: str) -> None:
        await self._enforcer().redact(room_id, message_id, self._retract_reason)

    async def tell(self, account: str, text: str) -> None:
        """A line in the person's direct room with the bot (a teacher hears how their announcement went)."""
        await self._enforcer().send_private(AccountId(account), text)
