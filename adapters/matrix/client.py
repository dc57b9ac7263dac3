"""The Matrix adapter: logs in, long-polls `/sync` in a loop it controls, and persists the sync token after each
processed batch, so a restart resumes exactly where it stopped (replays are harmless: incidents are idempotent).

A batch whose handling could not be finished for want of the database (or of a gap in the timeline) is handled
again, after a growing pause and without limit: the sync position never moves past an event that was not handled.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import secrets
import time
from collections.abc import Callable, Iterable
from typing import Any

from aiohttp import ClientError
from nio import AsyncClient, ErrorResponse, SyncResponse
from sqlalchemy.exc import InterfaceError, OperationalError

from adapters.matrix.announcements import AnnouncementGuard
from adapters.matrix.calls import MatrixCallFailed, call
from adapters.matrix.config import ADMIN_TOKEN_ENV, MatrixConfig, MatrixSecrets
from adapters.matrix.enforcer import MatrixEnforcer
from adapters.matrix.handler import DirectCommands, EventHandler
from adapters.matrix.joining import join_configured, join_invites
from adapters.matrix.members import check_present_members
from adapters.matrix.one_to_one import AdminApiFailed, check_one_to_one_rooms
from adapters.matrix.person_data import DM_KEY
from adapters.matrix.read_catch_up import ReadCatchUp
from adapters.matrix.review import MatrixReview
from adapters.matrix.reviewer_rooms import prepare_reviewer_rooms
from adapters.matrix.reviewers import COPIES_KEY, ReviewerCards
from adapters.matrix.room_sends import RoomSends
from adapters.matrix.session import MatrixLoginError, crypto_housekeeping, login, make_client
from adapters.matrix.timeline import fetch_gap, own_join
from moderation.announcements.reads import ConfirmRead, UntrackedReads, WithdrawRead
from moderation.digest import Digest
from moderation.incidents.review import ReviewResult, ReviewService
from moderation.model import AccountId, Category, EventId, Person, Platform, RoomId, RoomKind
from moderation.pipeline import Moderator, Stopping
from moderation.ports import Directory, StateStore, StoreUnavailable

log = logging.getLogger(__name__)

SYNC_TOKEN_KEY = "matrix.sync_token"
TXN_PREFIX_KEY = "matrix.txn_prefix"  # this installation's transaction-id prefix (a redo after a crash reuses ids)
# The database is away: the batch waits and is handled again (never skipped).
STORAGE_ERRORS = (StoreUnavailable, OperationalError, InterfaceError)
# Read receipts, typing and presence are never used (a read is a ✅ reaction in the timeline), and in a school every
# message read in a class room would otherwise wake the bot's sync and cost the homeserver a sync response.
SYNC_FILTER: dict[str, Any] = {
    "presence": {"not_types": ["*"]},
    "room": {
        "state": {"lazy_load_members": True},
        "timeline": {"limit": 50},
        "ephemeral": {"not_types": ["*"]},
    },
}


class MatrixAdapter:
    platform = Platform.MATRIX

    def __init__(
        self,
        config: MatrixConfig,
        secrets: MatrixSecrets,
        state: StateStore,
        *,
        review_service: ReviewService | None = None,
        directory: Callable[[], Directory] | None = None,
        rate_limited: Callable[[float], None] | None = None,
    ) -> None:
        self._config = config
        # Told of every M_LIMIT_EXCEEDED (seconds until the homeserver takes calls again), so that the deliveries
        # yield while nio waits the limit out.
        self._rate_limited = rate_limited
        self._review_service = review_service
        self._directory = directory
        self._review: MatrixReview | None = None
        self._secrets = secrets
        self._state = state
        self._client: AsyncClient | None = None
        self._task: asyncio.Task[None] | None = None
        self._ahead: asyncio.Task[None] | None = None  # reviewers' direct rooms, made in the background at start
        self._guard: AnnouncementGuard | None = None
        self._handler: EventHandler | None = None
        self._moderator: Moderator | None = None
        self.enforcer: MatrixEnforcer | None = None
        self.direct_commands: DirectCommands | None = None  # set before start: commands in direct rooms
        self.read_confirmations: ConfirmRead | None = None  # set before start: "Gelezen ✓" on announcements
        self.read_withdrawals: WithdrawRead | None = None  # set before start: that ✅ removed again
        self.untracked_reads: UntrackedReads | None = None  # set before start: confirmations without their ✅ kept
        self.batches = 0  # processed sync batches (tests and the benchmark watch this)
        self._last_sync: float | None = None  # monotonic time of the homeserver's last /sync answer
        self._sync_failing = False
        self._closed = asyncio.Event()

    @property
    def config(self) -> MatrixConfig:
        return self._config

    async def _on_error(self, response: ErrorResponse) -> None:
        if self._rate_limited is not None and response.status_code == "M_LIMIT_EXCEEDED":
            self._rate_limited((response.retry_after_ms or 5000) / 1000)  # nio waits 5 s when none is given

    async def start(self, moderator: Moderator) -> None:
        config = self._config
        config.store_dir.mkdir(parents=True, exist_ok=True)
        client = make_client(config)
        self._client = client
        self._moderator = moderator
        try:
            await self._start(client, moderator)
        except BaseException:  # refused, stopped while the homeserver was down, or the core failed: no session left
            await client.close()
            raise

    async def _start(self, client: AsyncClient, moderator: Moderator) -> None:
        config = self._config
        await login(client, config, self._secrets)
        enforcer = MatrixEnforcer(client, config, self._state, moderator.person_name, moderator.texts)
        enforcer.txn_prefix = self._txn_prefix()
        self.enforcer = enforcer
        if self._rate_limited is not None:
            client.add_response_callback(self._on_error, ErrorResponse)
        self._guard = AnnouncementGuard(client, config, self._state, moderator, enforcer)
        if self._review_service is not None:
            self._review = MatrixReview(self._review_service, enforcer, config.review_room_id, moderator.texts)
            enforcer.reviewer_cards = ReviewerCards(
                self._review_service,
                self._state,
                enforcer.direct_room,
                enforcer.send,
                enforcer.redact,
                moderator.texts,
                config.review_room_id,
            )
        self._handler = EventHandler(client, config, moderator, enforcer, self._guard.reconcile_room, self._review)
        self._handler.direct_commands = self.direct_commands
        self._handler.read_confirmations = self.read_confirmations
        self._handler.read_withdrawals = self.read_withdrawals
        if self.untracked_reads is not None:
            self._handler.read_catch_up = ReadCatchUp(client, config.user_id, self.untracked_reads)
        enforcer.room_sends = RoomSends(client, attempts=config.action_attempts, max_delay=config.max_backoff_s)
        await crypto_housekeeping(client)
        since = self._state.get(SYNC_TOKEN_KEY)
        if since is None:
            # First start ever: history from before the bot existed is not judged; start from now.
            first = await self._sync(None, timeout=0)
            await join_invites(client, config, moderator, enforcer, first)
            self._state.set(SYNC_TOKEN_KEY, first.next_batch)
            since = first.next_batch
        await join_configured(client, config, moderator)
        if self._review is not None:
            await self._review.check_overview(client, config.user_id)
        await self.reconcile()
        # What a crash or a stop left undone (a redaction, a notice, a card) is done before new events are taken.
        await moderator.resume(Platform.MATRIX, enforcer)
        if self._handler.read_catch_up is not None:
            await self._handler.read_catch_up.all()
        self._closed.clear()
        self._last_sync = time.monotonic()  # the homeserver answered every call of the start
        self._task = asyncio.create_task(self._run_until_closed(since), name="matrix-sync")
        if enforcer.reviewer_cards is not None and self._directory is not None:
            self._ahead = asyncio.create_task(self._reviewer_rooms_ahead(enforcer), name="matrix-reviewer-rooms")

    async def _reviewer_rooms_ahead(self, enforcer: MatrixEnforcer) -> None:
        assert self._directory is not None
        try:
            await prepare_reviewer_rooms(
                self._directory(), lambda account: bool(self._state.get(DM_KEY + account)), enforcer.direct_room
            )
        except STORAGE_ERRORS as exc:  # made at each reviewer's first card instead
            log.warning("matrix: reviewer direct rooms not made ahead: %s", exc)

    def _txn_prefix(self) -> str:
        prefix = self._state.get(TXN_PREFIX_KEY)
        if not prefix:
            prefix = f"sw{secrets.token_hex(4)}"
            self._state.set(TXN_PREFIX_KEY, prefix)
        return prefix

    async def send_digest(self, reviewer: Person, digest: Digest) -> bool:
        """The daily digest as a private message (the scheduler offers it to every platform in turn)."""
        if self._review is None:
            return False
        return await self._review.send_digest(reviewer, digest)

    async def withdraw_cards(self, incident_ids: Iterable[int]) -> int:
        """Redact the chat copies of these incidents' cards (each reviewer's and the overview's); for the retention
        job and privacy erase, so an erased excerpt does not live on in chat. How many copies were withdrawn.
        Raises MatrixCallFailed, after trying all, when a copy is left (the caller keeps it queued and tries again)."""
        cards = self.enforcer.reviewer_cards if self.enforcer is not None else None
        numbers = list(incident_ids)
        if cards is None:
            if self._review_service is not None and any(self._state.get(f"{COPIES_KEY}{n}") for n in numbers):
                raise MatrixCallFailed("withdraw cards", "the Matrix adapter is not running; tried again later")
            return 0
        withdrawn = sum([await cards.withdraw(number) for number in numbers])
        left = [number for number in numbers if cards.copies(number)]
        if left:
            raise MatrixCallFailed("withdraw cards", f"copies of incident(s) {left} are still in chat")
        return withdrawn

    async def renew_cards(self, incident_ids: Iterable[int]) -> int:
        """Replace the chat copies of these incidents' cards by fresh ones (an erasure changed their text); how many
        incidents were renewed. Raises MatrixCallFailed when one is left to try again."""
        cards = self.enforcer.reviewer_cards if self.enforcer is not None else None
        numbers = list(incident_ids)
        if cards is None:
            if self._review_service is not None and any(self._state.get(f"{COPIES_KEY}{n}") for n in numbers):
                raise MatrixCallFailed("renew cards", "the Matrix adapter is not running; tried again later")
            return 0
        left = [number for number in numbers if not await cards.renew(number)]
        if left:
            raise MatrixCallFailed("renew cards", f"the cards of incident(s) {left} are not all renewed yet")
        return len(numbers)

    async def follow_review(self, result: ReviewResult) -> list[str]:
        """After a change made on the desk: every Matrix copy of the card follows, as after a typed command."""
        cards = self.enforcer.reviewer_cards if self.enforcer is not None else None
        return await cards.follow(result) if cards is not None else []

    def connected(self) -> bool:
        running = self._task is not None and not self._task.done()
        return running and self._last_sync is not None and not self._sync_failing

    def sync_lag(self) -> float | None:
        """Seconds since the homeserver last answered a /sync (a healthy long poll stays under its timeout)."""
        return None if self._last_sync is None else time.monotonic() - self._last_sync

    async def wait_closed(self) -> None:
        await self._closed.wait()

    async def _run_until_closed(self, since: str) -> None:
        try:
            await self._run(since)
        except Stopping:
            log.info("matrix: stopped taking events; the rest of the batch is handled at the next start")
        except MatrixLoginError as exc:
            log.error("matrix: stopped: %s", exc)
        finally:
            self._closed.set()

    async def stop(self) -> None:
        for task in (self._ahead, self._task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._ahead = self._task = None
        if self._client is not None:
            await self._client.close()
        self._closed.set()

    async def _check_one_to_one(self) -> None:
        """R9, where the school turned it on: staff-student pair rooms, seen through the admin API."""
        config = self._config
        if not config.one_to_one_check or self._moderator is None or self.enforcer is None:
            return
        if not self._secrets.admin_token:
            log.error("matrix: one_to_one_check is on, but %s is not set: the check is skipped", ADMIN_TOKEN_ENV)
            return
        try:
            await check_one_to_one_rooms(
                config.homeserver, self._secrets.admin_token, config.user_id, self._moderator, self.enforcer
            )
        except AdminApiFailed as exc:
            log.error("matrix: the one-to-one check failed (tried again on schedule): %s", exc)

    async def reconcile(self) -> None:
        """Check every configured announcement room's power levels; restore them where they drifted. (On the same
        schedule: cards held by reviewers who left the school are withdrawn.)"""
        assert self._guard is not None and self._moderator is not None and self._client is not None
        cards = self.enforcer.reviewer_cards if self.enforcer is not None else None
        if cards is not None:
            await cards.withdraw_departed()
        try:
            joined = await call("list joined rooms", self._client.joined_rooms, attempts=self._config.action_attempts)
        except MatrixCallFailed as exc:
            log.error("matrix: cannot check the announcement rooms now (tried again on schedule): %s", exc)
            return
        have = set(getattr(joined, "rooms", []))
        await self._check_one_to_one()
        if self.enforcer is not None:
            await check_present_members(
                self._client, self._moderator, self.enforcer, joined=have, attempts=self._config.action_attempts
            )
        for policy in self._moderator.rooms(Platform.MATRIX):
            if policy.room.kind is not RoomKind.ANNOUNCEMENT:
                continue
            if policy.room.id not in have:
                log.error(
                    "matrix: cannot check announcement room %s (%s): the bot is not in it (kicked? invite it again)",
                    policy.room.name,
                    policy.room.id,
                )
                continue
            try:
                await self._guard.reconcile_room(policy.room.id)
            except MatrixCallFailed as exc:
                log.error("matrix: cannot check announcement room %s (%s): %s", policy.room.name, policy.room.id, exc)

    async def _sync(self, since: str | None, *, timeout: int) -> SyncResponse:
        assert self._client is not None
        response = await self._client.sync(timeout=timeout, since=since, sync_filter=SYNC_FILTER)
        if not isinstance(response, SyncResponse):
            raise MatrixCallFailed("sync", f"{response.status_code}: {response.message}", response.status_code)
        return response

    async def _run(self, since: str) -> None:
        failures = 0
        stuck_since: float | None = None  # when handling the current batch first failed (logged once per outage)
        pause = 0.5
        while True:
            try:
                response = await self._sync(since, timeout=self._config.sync_timeout_ms)
            except (MatrixCallFailed, ClientError, TimeoutError, OSError) as exc:
                if isinstance(exc, MatrixCallFailed) and exc.errcode == "M_UNKNOWN_TOKEN":
                    raise MatrixLoginError("the access token was revoked or expired; log in again") from exc
                failures += 1
                self._sync_failing = True
                delay = min(self._config.max_backoff_s, 0.5 * 2 ** min(failures - 1, 10))
                log.warning("matrix: sync failed (%s); reconnecting in %.1fs", exc, delay)
                await asyncio.sleep(delay)
                continue
            failures = 0
            self._last_sync, self._sync_failing = time.monotonic(), False
            try:
                await self._process(response, since)
                # Off the event loop: the workers' cards and the other rooms go on meanwhile.
                await asyncio.to_thread(self._state.set, SYNC_TOKEN_KEY, response.next_batch)
            except (*STORAGE_ERRORS, MatrixCallFailed) as exc:
                # The database is away, or a gap in the timeline could not be fetched: the same batch again, later.
                if stuck_since is None:
                    stuck_since = time.monotonic()
                    log.warning(
                        "matrix: a sync batch could not be finished (%s: %s); it is handled again until it is, "
                        "the sync position does not move on",
                        type(exc).__name__,
                        str(exc).splitlines()[0] if str(exc) else "",
                    )
                await asyncio.sleep(pause)
                pause = min(self._config.max_backoff_s, pause * 2)
                continue
            if stuck_since is not None:
                log.warning("matrix: the sync batch was finished after %.0fs", time.monotonic() - stuck_since)
                stuck_since, pause = None, 0.5
            since = response.next_batch
            self.batches += 1
            assert self._client is not None
            await crypto_housekeeping(self._client)

    async def _process(self, response: SyncResponse, since: str) -> None:
        """Handle one batch: the rooms side by side, each room's events in order (an edit after its original).
        Raises, once every room is finished, what makes the whole batch worth handling again (the database is
        away, a gap could not be fetched) and Stopping; an event that fails for any other reason is logged and
        left."""
        assert self._handler is not None
        assert self._client is not None and self._moderator is not None and self.enforcer is not None
        await join_invites(self._client, self._config, self._moderator, self.enforcer, response)
        for room_id, info in response.rooms.leave.items():
            await self._left(room_id, list(info.timeline.events))
        rooms = [self._process_room(room_id, info, since) for room_id, info in response.rooms.join.items()]
        outcomes = await asyncio.gather(*rooms, return_exceptions=True)
        # Every room had its turn: the first room that must be handled again makes the whole batch come again
        # (the rooms that did finish are replayed harmlessly, their incidents exist).
        failed = [o for o in outcomes if isinstance(o, BaseException)]
        failed.sort(key=lambda o: not isinstance(o, Stopping))
        if failed:
            raise failed[0]
        await self._handler.retry_waiting()

    async def _process_room(self, room_id: str, info: Any, since: str) -> None:
        assert self._handler is not None
        events: list[Any] = list(info.timeline.events)
        joined_at = own_join(events, self._config.user_id)
        if joined_at is not None:
            events = events[joined_at + 1 :]  # the room's history from before the bot joined is not judged
        elif info.timeline.limited and info.timeline.prev_batch:
            assert self._client is not None
            gap = functools.partial(fetch_gap, self._client, room_id, info.timeline.prev_batch, since)
            events = await gap(attempts=self._config.action_attempts) + events
        for event in events:
            try:
                await self._handler.handle(room_id, event)
            except (*STORAGE_ERRORS, Stopping):
                raise
            except MatrixCallFailed as exc:
                log.error("matrix: event %s in %s: %s", getattr(event, "event_id", "?"), room_id, exc)
            except Exception:  # a bug on one odd event must not stop moderation for the whole school
                log.exception("matrix: handling event %s in %s failed", getattr(event, "event_id", "?"), room_id)

    async def _left(self, room_id: str, events: list[Any]) -> None:
        """The bot was removed from a room: say so; for an announcement room, tell leadership (R10 unguarded)."""
        assert self._moderator is not None and self.enforcer is not None
        own = [
            e.source
            for e in events
            if getattr(e, "source", {}).get("type") == "m.room.member"
            and e.source.get("state_key") == self._config.user_id
        ]
        actor = own[-1].get("sender") if own else None
        log.warning("matrix: the bot is no longer in room %s (left, kicked or banned by %s)", room_id, actor)
        policy = self._moderator.policy_for(Platform.MATRIX, RoomId(room_id))
        if not own or policy is None or policy.room.kind is not RoomKind.ANNOUNCEMENT or actor == self._config.user_id:
            return
        await self._moderator.record_room_event(
            platform=Platform.MATRIX,
            room_id=RoomId(room_id),
            event_id=EventId(str(own[-1].get("event_id"))),
            actor=AccountId(actor) if isinstance(actor, str) else None,
            category=Category.PERMISSION_DRIFT,
            explanation=f"the bot was removed from announcement room {policy.room.name} by {actor}; "
            "nobody enforces staff-only posting there until it is invited back",
            enforcer=self.enforcer,
        )
