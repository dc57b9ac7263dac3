"""The Discord adapter's hands: delete (with an audit-log reason), a private notice (a person's burst as one, each
planned so that a crash tells nothing twice: `moderation/notice_plans.py`), the review cards (each reviewer's DM
and the leadership overview in the review channel, see `review.py`), each copy an owed action of its own; in a burst
the outbox's workers bring one viewer several incidents at once (`deliver_cards`): one combined message.

Transport retries (429s, 5xx) are discord.py's rate limiter's job, up to `max_rate_limit_wait`; whatever still fails
raises out of here, and the pipeline records it as a failed action on the incident. A notice that cannot reach its
person says why: their DMs are closed (50007), or they left the server (50278: no server in common any more).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence
from datetime import UTC, datetime

import discord
from discord.utils import MISSING

from adapters.discord.card import CARD_LIMIT, render_card
from adapters.discord.card_port import nonce
from adapters.discord.combined_card import groups
from adapters.discord.config import DiscordConfig
from adapters.discord.pacing import Pace
from adapters.discord.person_data import NOTICE_PLAN_KEY
from adapters.discord.review import DiscordReview
from adapters.discord.translate import thread_target
from moderation.model import Message, PersonId
from moderation.notice_plans import NoticeDM, NoticePlans, Resumed
from moderation.pipeline import Moderator
from moderation.ports import OVERVIEW, CardAddress, IncidentDraft, IncidentRef, StateStore

log = logging.getLogger(__name__)

UNKNOWN_MESSAGE = 10008
REMOVED_NAME = "naam verwijderd"  # what a thread is called after its name was removed
CANNOT_DM = 50007  # the person closed their DMs
NO_MUTUAL_GUILDS = 50278  # the person left the server: Discord delivers no DM any more
AUDIT_REASON_LIMIT = 512  # Discord truncates longer X-Audit-Log-Reason values
NO_MENTIONS = discord.AllowedMentions.none()
CLOCK_SLACK_S = 60  # this machine's clock may be ahead of Discord's: a resumed notice is looked for from earlier
RESUME_LOOK_BACK = 50  # DMs read to find a resumed notice (a person gets few DMs from the bot in a few minutes)


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
    def __init__(
        self, client: discord.Client, config: DiscordConfig, moderator: Moderator, state: StateStore | None = None
    ) -> None:
        self._client = client
        self._config = config
        self._moderator = moderator
        self.locations = MessageLocations()
        self.review: DiscordReview | None = None  # set when the review side is wired: cards get buttons and DMs
        # Notices and cards below Discord's global limit (the review side's cards share it): deletions go first.
        self.pace = Pace(config.delivery_rate, config.delivery_burst)
        # Each person's notices, planned in the state table (without one, each DM has only its nonce).
        self.notices = NoticePlans(state, NOTICE_PLAN_KEY, moderator.texts.notices.several, CARD_LIMIT)

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
        await self.notify_sender_together([(message, text)])

    async def notify_sender_together(self, notices: Sequence[tuple[Message, str]]) -> None:
        """Tell one person of several of their messages in as few DMs as fit (one alone: its own notice). Planned in
        the state table before anything is sent and each DM marked once sent (`moderation/notice_plans.py`): done
        again after a crash, no message is told of twice and none is lost."""
        for message, _text in notices:
            if message.by_integration:
                log.info("message %s was posted by a webhook: no person to send a notice to", message.target_id)
        told = [(f"{m.target_id}-{m.event_id}", text) for m, text in notices if not m.by_integration]
        if not told:
            return
        user_id = int(notices[0][0].author)
        channel: discord.DMChannel | None = None

        async def send(dm: NoticeDM, resumed: Resumed | None) -> str:
            nonlocal channel
            try:
                if channel is None:
                    user = self._client.get_user(user_id) or await self._client.fetch_user(user_id)
                    channel = await user.create_dm()
                if resumed is not None and (earlier := await self._sent_already(channel, dm.text, resumed)):
                    return earlier
                await self.pace.take()
                # Its nonce names the messages: sent again soon after a crash, Discord answers with the first DM.
                sent = await channel.send(dm.text, allowed_mentions=NO_MENTIONS, nonce=nonce(dm.key))
                return str(sent.id)
            except discord.RateLimited as exc:
                log_rate_limited(f"sending a notice to {user_id}", exc)
                raise
            except discord.HTTPException as exc:
                if exc.code == NO_MUTUAL_GUILDS:
                    raise Undeliverable(f"undeliverable: {user_id} is no longer in the server (50278)") from exc
                if exc.code == CANNOT_DM:
                    raise Undeliverable(f"undeliverable: {user_id} does not accept direct messages (50007)") from exc
                raise

        await self.notices.tell(str(user_id), told, send)

    async def _sent_already(self, channel: discord.DMChannel, text: str, resumed: Resumed) -> str | None:
        """The bot's DM with this text after the plan's start, if the process ended after sending it (Discord
        forgets a nonce after a few minutes; the DM's history does not)."""
        planned = discord.utils.time_snowflake(datetime.fromtimestamp(resumed.since - CLOCK_SLACK_S, UTC))
        after = max(resumed.last or 0, planned)
        me = self._client.user.id if self._client.user is not None else None
        async for message in channel.history(limit=RESUME_LOOK_BACK, after=discord.Object(after), oldest_first=True):
            if message.author.id == me and message.content == text:
                return str(message.id)
        return None

    def card_viewers(self, draft: IncidentDraft) -> Sequence[str]:
        """Each reviewer's own copy by DM (when reviewing is on), then the review channel's overview copy."""
        viewers = [str(p) for p in dict.fromkeys(self.review.reviewers(draft))] if self.review is not None else []
        if self._config.review_channel_id is not None:
            viewers.append(OVERVIEW)
        return viewers

    async def deliver_card(self, incident: IncidentRef, viewer: str) -> None:
        """One copy of the card (a closed DM is no failure). Sent with a nonce of its own: delivered again after a
        crash, Discord answers with the first copy instead of posting a second one."""
        key = f"card-{incident.id}-{viewer}"
        if viewer != OVERVIEW:
            if self.review is None:
                return
            failures = await self.review.ledger.deliver(incident.id, [PersonId(viewer)], key=key)
            if failures:
                raise RuntimeError(f"incident #{incident.id}: the card was not delivered: {'; '.join(failures)}")
            return
        if self.review is not None:
            ledger = self.review.ledger
            if OVERVIEW in ledger.copies(incident.id):
                return  # on a combined card already (the process ended before that was marked done)
            planned = await ledger.finish_plan(incident.id, OVERVIEW)
            if planned is not None:
                if planned:
                    raise RuntimeError(f"incident #{incident.id}: the overview card was not delivered: {planned}")
                return
        await self._post_overview(incident, key=key)

    async def deliver_cards(self, incidents: Sequence[IncidentRef], viewer: str) -> None:
        """One viewer's copies of several incidents together: combined messages of at most five incidents (one row
        of buttons each), each as the core shows it to that viewer (the overview's as to school leadership, without
        the reporter). Each message's nonce names the viewer and its incidents: sent again after a crash, Discord
        answers with the first one."""
        numbers = sorted(incident.id for incident in incidents)
        if self.review is None or (viewer == OVERVIEW and self._config.review_channel_id is None):
            for incident in incidents:
                await self.deliver_card(incident, viewer)
            return
        failures: list[str] = []
        for group in groups(numbers):
            key = f"cards-{viewer}-{'-'.join(map(str, group))}"
            failures += await self.review.ledger.deliver_together(group, viewer, key=key)
        if failures:
            raise RuntimeError(f"incidents {numbers}: not every combined card was delivered: {'; '.join(failures)}")

    async def announce(self, incident: IncidentRef) -> None:
        """Every copy of the card at once (the pipeline owes them one by one, see deliver_card)."""
        failures: list[str] = []
        for viewer in self.card_viewers(incident.draft):
            try:
                await self.deliver_card(incident, viewer)
            except (RuntimeError, discord.HTTPException) as exc:
                failures.append(f"{viewer}: {exc}")
        if failures:  # after every other copy went out: the pipeline records the announcement as failed
            raise RuntimeError(f"incident #{incident.id}: not every review card was delivered: {'; '.join(failures)}")

    async def _post_overview(self, incident: IncidentRef, *, key: str | None = None) -> None:
        if self._config.review_channel_id is None:
            log.info("incident R-%s recorded; no Discord review channel configured", incident.id)
            return
        channel = self._client.get_channel(self._config.review_channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            raise RuntimeError(f"review channel {self._config.review_channel_id} is not a text channel I can see")
        card = render_card(incident, self._person_name, self._moderator.texts)
        once = nonce(key)
        await self.pace.take()
        if self.review is None:
            await channel.send(card, allowed_mentions=NO_MENTIONS, suppress_embeds=True, nonce=once)
            return
        view = self.review.overview_view(incident)
        sent = await channel.send(
            card, allowed_mentions=NO_MENTIONS, suppress_embeds=True, view=view or MISSING, nonce=once
        )
        self.review.ledger.remember(incident.id, OVERVIEW, CardAddress(str(sent.channel.id), str(sent.id)))

    def _person_name(self, person_id: PersonId) -> str:
        return self._moderator.person_name(person_id)
