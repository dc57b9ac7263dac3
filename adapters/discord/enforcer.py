"""The Discord adapter's hands: delete (with an audit-log reason), a private notice, the review cards (each reviewer's
DM and the leadership overview in the review channel, see `review.py`).

Transport retries (429s, 5xx) are discord.py's rate limiter's job, up to `max_rate_limit_wait`; whatever still fails
raises out of here, and the pipeline records it as a failed action on the incident. A notice that cannot reach its
person says why: their DMs are closed (50007), or they left the server (50278: no server in common any more).
"""

from __future__ import annotations

import logging
from collections import OrderedDict

import discord
from discord.utils import MISSING

from adapters.discord.card import render_card
from adapters.discord.config import DiscordConfig
from adapters.discord.review import DiscordReview
from adapters.discord.translate import thread_target
from moderation.model import Message, PersonId
from moderation.pipeline import Moderator
from moderation.ports import OVERVIEW, CardAddress, IncidentRef

log = logging.getLogger(__name__)

UNKNOWN_MESSAGE = 10008
REMOVED_NAME = "naam verwijderd"  # what a thread is called after its name was removed
CANNOT_DM = 50007  # the person closed their DMs
NO_MUTUAL_GUILDS = 50278  # the person left the server: Discord delivers no DM any more
AUDIT_REASON_LIMIT = 512  # Discord truncates longer X-Audit-Log-Reason values
NO_MENTIONS = discord.AllowedMentions.none()


class MessageLocations:
    """Where recent messages really are. A thread's message is judged under its parent channel's room (the policy
    lives there), but it must be deleted in the thread itself."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._capacity = capacity
        self._where: OrderedDict[str, int] = OrderedDict()

    def remember(self, message_id: int, channel_id: int) -> None:
        self._where[str(message_id)] = channel_id
        self._where.move_to_end(str(message_id))
        while len(self._where) > self._capacity:
            self._where.popitem(last=False)

    def channel_of(self, message: Message) -> int:
        return self._where.get(message.target_id, int(message.room_id))


class Undeliverable(RuntimeError):
    """A notice that cannot reach its person; the reason is the message (recorded on the incident)."""


def log_rate_limited(what: str, exc: discord.RateLimited) -> None:
    log.error(
        "Discord asks to wait %.0fs before %s (a shared or long rate limit); the bot waits at most the configured "
        "max_rate_limit_wait, so this action is recorded as failed",
        exc.retry_after,
        what,
    )


class DiscordEnforcer:
    def __init__(self, client: discord.Client, config: DiscordConfig, moderator: Moderator) -> None:
        self._client = client
        self._config = config
        self._moderator = moderator
        self.locations = MessageLocations()
        self.review: DiscordReview | None = None  # set when the review side is wired: cards get buttons and DMs

    async def delete(self, message: Message, reason: str) -> None:
        # discord.py 2.7's Message.delete() takes no reason; the HTTP call does. Discord keeps it in the audit log
        # only for bulk deletes: a bot's single delete gets no audit-log entry, so the incident is the record.
        thread = thread_target(message.target_id)
        try:
            if thread is not None:  # a thread's name: it is replaced (the thread and its messages stay)
                await self._client.http.edit_channel(thread, reason=reason[:AUDIT_REASON_LIMIT], name=REMOVED_NAME)
                return
            await self._client.http.delete_message(
                self.locations.channel_of(message), int(message.target_id), reason=reason[:AUDIT_REASON_LIMIT]
            )
        except discord.NotFound as exc:
            if exc.code != UNKNOWN_MESSAGE:
                raise
            log.info("message %s in %s was already gone", message.target_id, message.room_id)
        except discord.RateLimited as exc:
            log_rate_limited(f"deleting message {message.target_id}", exc)
            raise

    async def notify_sender(self, message: Message, text: str) -> None:
        if message.by_integration:
            log.info("message %s was posted by a webhook: no person to send a notice to", message.target_id)
            return
        user_id = int(message.author)
        try:
            user = self._client.get_user(user_id) or await self._client.fetch_user(user_id)
            channel = await user.create_dm()
            await channel.send(text, allowed_mentions=NO_MENTIONS)
        except discord.RateLimited as exc:
            log_rate_limited(f"sending a notice to {user_id}", exc)
            raise
        except discord.HTTPException as exc:
            if exc.code == NO_MUTUAL_GUILDS:
                raise Undeliverable(f"undeliverable: {user_id} is no longer in the server (50278)") from exc
            if exc.code == CANNOT_DM:
                raise Undeliverable(f"undeliverable: {user_id} does not accept direct messages (50007)") from exc
            raise

    async def announce(self, incident: IncidentRef) -> None:
        failures: list[str] = []
        if self.review is not None:
            failures = await self.review.deliver(incident)  # each reviewer's own card by DM (a closed DM is no failure)
        await self._post_overview(incident)
        if failures:  # after the overview went out: the pipeline records the announcement as failed
            raise RuntimeError(f"incident #{incident.id}: not every review card was delivered: {'; '.join(failures)}")

    async def _post_overview(self, incident: IncidentRef) -> None:
        if self._config.review_channel_id is None:
            log.info("incident R-%s recorded; no Discord review channel configured", incident.id)
            return
        channel = self._client.get_channel(self._config.review_channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            raise RuntimeError(f"review channel {self._config.review_channel_id} is not a text channel I can see")
        card = render_card(incident, self._person_name, self._moderator.texts)
        if self.review is None:
            await channel.send(card, allowed_mentions=NO_MENTIONS, suppress_embeds=True)
            return
        view = self.review.overview_view(incident)
        sent = await channel.send(card, allowed_mentions=NO_MENTIONS, suppress_embeds=True, view=view or MISSING)
        self.review.ledger.remember(incident.id, OVERVIEW, CardAddress(str(sent.channel.id), str(sent.id)))

    def _person_name(self, person_id: PersonId) -> str:
        return self._moderator.person_name(person_id)
