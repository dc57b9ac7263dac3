"""A person's notices, each message told of exactly once: one notice alone, or a burst's as one.

A platform answers a repeated nonce or transaction id with the first message only for a while (Discord a few
minutes, Synapse about half an hour), and a restart may come later. So every notice goes by a plan kept in the state
table (under the platform's key prefix and the person) before anything is sent: its direct messages (each within
the platform's length limit, split where one notice ends and the next begins), the messages each tells of, its
nonce's key, and a mark once it is sent; beside it the messages this person was told of lately. Done again after a
crash, a notice sends only the direct messages not marked sent, and tells nothing about a message told of already.
One that was sent but not yet marked when the process ended is sent again with its first nonce (the platform answers
with the first message), after the adapter has looked for it where it can.

No platform SDK here: the enforcer hands in how a direct message is sent.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import NamedTuple

from moderation.ports import StateStore
from moderation.shortening import cut

log = logging.getLogger(__name__)

TOLD_KEPT = 200  # messages told of, per person: far more than a kill can leave unmarked in the outbox


@dataclass(slots=True)
class NoticeDM:
    """One direct message of a notice: its text, the messages (keys) it tells of, its nonce's key (the same each time
    it is sent: the platform answers a repeat with the first)."""

    text: str
    about: list[str]
    key: str
    sent: bool = False


class Resumed(NamedTuple):
    """A DM of a plan that an earlier try left unfinished: it may have reached the platform before the process ended.
    Look for it after the last notice DM this person was sent before it (its message id, if known), and not before
    the plan was made (`since`, seconds since the epoch)."""

    last: int | None
    since: float


@dataclass(slots=True)
class NoticeRecord:
    """What the state table holds for one person: the DMs of the notice on its way and when it was planned, the
    messages told of lately, and the last notice DM sent (its message id)."""

    plan: list[NoticeDM] = field(default_factory=list)
    since: float = 0.0
    told: list[str] = field(default_factory=list)
    last: str = ""

    @classmethod
    def parse(cls, raw: str | None) -> NoticeRecord:
        data = json.loads(raw) if raw else {}
        if not isinstance(data, dict):
            return cls()
        plan = [
            NoticeDM(str(d["text"]), [str(a) for a in d["about"]], str(d["key"]), bool(d["sent"]))
            for d in data.get("plan", ())
        ]
        told = [str(t) for t in data.get("told", ())]
        return cls(plan, float(data.get("since", 0)), told, str(data.get("last", "")))

    def dump(self) -> str:
        plan = [asdict(dm) for dm in self.plan]
        return json.dumps({"plan": plan, "since": self.since, "told": self.told, "last": self.last}, ensure_ascii=False)


def split_notices(
    notices: Sequence[tuple[str, str]], several: Callable[[Sequence[str]], str], limit: int
) -> list[tuple[str, list[str]]]:
    """The DMs that tell of these (message key, notice) pairs: as few as fit in `limit` characters each, split only
    between notices (the same notice for several messages stays on one DM); each DM's text and the keys it tells
    of. A DM about one message is that message's notice; about several, `several`'s notice listing them."""
    same: dict[str, list[str]] = {}
    for key, text in notices:
        same.setdefault(text, []).append(key)
    groups: list[list[tuple[str, list[str]]]] = []
    for text, keys in same.items():
        if groups and len(_render(groups[-1] + [(text, keys)], several)) <= limit:
            groups[-1].append((text, keys))
        else:
            groups.append([(text, keys)])
    return [(cut(_render(group, several), limit), [k for _t, keys in group for k in keys]) for group in groups]


def _render(group: Sequence[tuple[str, list[str]]], several: Callable[[Sequence[str]], str]) -> str:
    texts = [text for text, keys in group for _key in keys]
    return texts[0] if len(texts) == 1 else several(texts)


# Send one DM (resumed: first look whether it went out already); the DM's message id.
SendDM = Callable[[NoticeDM, Resumed | None], Awaitable[str]]


class NoticePlans:
    """Each person's notice plan in the state table, under `key_prefix` + the person (none: each DM is sent with its
    nonce only); `limit` is the platform's length of one direct message."""

    def __init__(
        self, state: StateStore | None, key_prefix: str, several: Callable[[Sequence[str]], str], limit: int
    ) -> None:
        self._state = state
        self._key_prefix = key_prefix
        self._several = several
        self._limit = limit
        self._locks: dict[str, asyncio.Lock] = {}  # one notice at a time per person: they share one plan

    async def tell(self, user: str, notices: Sequence[tuple[str, str]], send: SendDM) -> None:
        """Tell `user` of these (message key, notice) pairs: a plan that an earlier try left unfinished first, then
        every message not told of yet, in as few DMs as fit."""
        async with self._locks.setdefault(user, asyncio.Lock()):
            record = self._record(user)
            if record.plan:
                log.info("finishing the notice to %s that was cut short", user)
                await self._send_plan(user, record, send, resumed=True)
            told = set(record.told)
            left = [(key, text) for key, text in notices if key not in told]
            if not left:
                return
            dms = split_notices(left, self._several, self._limit)
            record.plan, record.since = [NoticeDM(text, about, _nonce_key(about)) for text, about in dms], time.time()
            self._save(user, record)
            await self._send_plan(user, record, send, resumed=False)

    async def _send_plan(self, user: str, record: NoticeRecord, send: SendDM, *, resumed: bool) -> None:
        for dm in record.plan:
            if dm.sent:
                continue
            try:
                last = int(record.last) if record.last.isdigit() else None
                record.last = await send(dm, Resumed(last, record.since) if resumed else None)
            except Exception:
                # Recorded as failed on the incidents: not sent later, unasked, with some other notice.
                record.plan = []
                self._save(user, record)
                raise
            dm.sent = True
            record.told = (record.told + dm.about)[-TOLD_KEPT:]
            if all(d.sent for d in record.plan):
                record.plan = []
            self._save(user, record)

    def _record(self, user: str) -> NoticeRecord:
        if self._state is None:
            return NoticeRecord()
        return NoticeRecord.parse(self._state.get(self._key_prefix + user))

    def _save(self, user: str, record: NoticeRecord) -> None:
        if self._state is not None:
            self._state.set(self._key_prefix + user, record.dump())


def _nonce_key(about: Sequence[str]) -> str:
    # One message's as it always was (a notice sent before an upgrade is still known to Discord for a while).
    return f"notice-{about[0]}" if len(about) == 1 else "notices-" + "-".join(sorted(about))
