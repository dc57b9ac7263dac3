"""Read confirmations given with a ✅ before the bot kept the reactions that carry them: the homeserver still knows
each post's reactions (the relations API), so they are looked up there and the core records them (`adopt`), or
withdraws a confirmation whose reactions are all gone.

Done once at start for every such post, and again for one reader when a redaction of theirs arrives that removes
no reaction on record (it may be the ✅ of such a confirmation). A post whose reactions cannot be listed completely
(the homeserver refused or failed partway) is left as it is, to be tried at the next start: withdrawing on half a
list would take back confirmations that still stand.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

from nio import AsyncClient
from nio.api import RelationshipType

from adapters.matrix.translate import read_reaction
from moderation.announcements.reads import UntrackedPost, UntrackedReads
from moderation.model import Platform

log = logging.getLogger(__name__)


def read_annotation(event: Mapping[str, object]) -> tuple[str, str] | None:
    """A reaction saying "gelezen": (its event id, its sender). An encrypted one counts too: an annotation's
    relation (and so its key) stays readable outside the encryption."""
    if event.get("type") == "m.room.encrypted":
        event = {**event, "type": "m.reaction"}
    found = read_reaction(event)
    reaction = event.get("event_id")
    return (reaction, found[1]) if found is not None and isinstance(reaction, str) else None


class ReadCatchUp:
    def __init__(self, client: AsyncClient, bot: str, reads: UntrackedReads) -> None:
        self._client = client
        self._bot = bot
        self._reads = reads

    async def all(self) -> int:
        """Every post with confirmations whose reactions are not on record; the number of posts looked up."""
        posts = await asyncio.to_thread(self._reads.untracked, Platform.MATRIX)
        for post in posts:
            await self._post(post)
        return len(posts)

    async def redacted_by(self, room_id: str, sender: str) -> None:
        """`sender` redacted something in the announcement room that carried no confirmation on record."""
        for post in await asyncio.to_thread(self._reads.untracked, Platform.MATRIX, room_id, sender):
            await self._post(post)

    async def _post(self, post: UntrackedPost) -> None:
        try:
            reactions = await self._reactions(post)
        except Exception as exc:  # a partial list must not withdraw anything: tried again at the next start
            log.warning(
                "matrix: the reactions on announcement %s in %s could not be listed (%s: %s); its earlier read "
                "confirmations stay as they are",
                post.message_id,
                post.room_id,
                type(exc).__name__,
                exc,
            )
            return
        await asyncio.to_thread(self._reads.adopt, Platform.MATRIX, post.room_id, post.message_id, reactions)

    async def _reactions(self, post: UntrackedPost) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        # nio pages through them; an error answer ends the iteration with an exception, never with a short list.
        async for event in self._client.room_get_event_relations(
            post.room_id, post.message_id, RelationshipType.annotation
        ):
            source = getattr(event, "source", None)
            reaction = read_annotation(source) if isinstance(source, Mapping) else None
            if reaction is not None and reaction[1] != self._bot:
                found.append(reaction)
        return found
