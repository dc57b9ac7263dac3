"""A local platform on stdin/stdout, for the demo and for trying rules by hand.

One message per line:  `@sanne #klas-2b: text`  — and an edit of that room's message number 2:
`@sanne #klas-2b ~2: new text`. Blank lines and lines starting with `//` are skipped. Every message goes through
exactly the same Moderator as Matrix and Discord messages do.
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from moderation.model import AccountId, ActionKind, EventId, Message, Person, PersonId, Platform, RoomId
from moderation.pipeline import Moderator, Outcome
from moderation.ports import IncidentRef

if TYPE_CHECKING:
    from adapters.console_review import ConsoleReview
    from moderation.digest import Digest

_LINE = re.compile(r"^@(?P<author>[\w.\-]+)\s+#(?P<room>[\w.\-]+)(?:\s+~(?P<edit>\d+))?\s*:\s?(?P<text>.*)$", re.S)
# A mention in a line's text: `@daan` (not the middle of an e-mail address). Console names are case-insensitive.
_MENTION = re.compile(r"(?<![\w@])@([\w.\-]+)")


def mentions_in(text: str) -> tuple[AccountId, ...]:
    """The accounts a line's text mentions, in order, each once."""
    return tuple(dict.fromkeys(AccountId(m.lower()) for m in _MENTION.findall(text)))


class ConsoleLineError(ValueError):
    pass


class Writer(Protocol):
    def write(self, text: str, /) -> int: ...

    def flush(self) -> None: ...


@dataclass(frozen=True, slots=True)
class ConsoleLine:
    author: str
    room: str
    text: str
    edit_of: int | None


def parse_line(line: str) -> ConsoleLine | None:
    """A typed line as a message; None for blank and comment lines. Raises ConsoleLineError on anything else."""
    stripped = line.rstrip("\r\n")
    if not stripped.strip() or stripped.lstrip().startswith("//"):
        return None
    match = _LINE.match(stripped.strip())
    if match is None:
        raise ConsoleLineError("expected `@name #room: text` (or `@name #room ~N: text` to edit message N)")
    edit = match["edit"]
    return ConsoleLine(match["author"].lower(), match["room"].lower(), match["text"], int(edit) if edit else None)


class ConsoleEnforcer:
    """Shows on the terminal what would happen on a real platform."""

    def __init__(self, out: Writer, name_of: Callable[[PersonId], str]) -> None:
        self._out = out
        self._name_of = name_of

    async def delete(self, message: Message, reason: str) -> None:
        self._out.write(f"    ✖ message removed from #{message.room_id} ({reason})\n")

    async def notify_sender(self, message: Message, text: str) -> None:
        self._out.write(f"    → private notice to @{message.author}: {text}\n")

    async def announce(self, incident: IncidentRef) -> None:
        draft = incident.draft
        verdict = draft.verdict
        to = ", ".join(f"{self._name_of(r.person_id)} ({r.reason})" for r in draft.reviewers) or "nobody (unrouted)"
        self._out.write(
            f"    ⚑ incident #{incident.id} [{verdict.rule_id} {verdict.category.value}, "
            f"severity {verdict.severity.name.lower()}] → {to}\n"
            f"      why: {verdict.explanation}\n"
        )


class ConsoleAdapter:
    platform = Platform.CONSOLE

    def __init__(
        self, lines: Iterable[str] | None = None, out: Writer | None = None, review: ConsoleReview | None = None
    ) -> None:
        self._lines = lines
        self._review = review  # `@jansen !resolve 2 …`: a reviewer's command instead of a chat message
        self._out = out or sys.stdout
        self._task: asyncio.Task[None] | None = None
        self._session = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        self.outcomes: list[Outcome] = []

    async def start(self, moderator: Moderator) -> None:
        self._task = asyncio.create_task(self._run(moderator))

    async def reconcile(self) -> None:
        return None  # the console has no room settings to drift

    async def wait_closed(self) -> None:
        if self._task is not None:
            await asyncio.shield(self._task)

    async def stop(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()

    async def send_digest(self, reviewer: Person, digest: Digest) -> bool:
        """The daily digest, printed for the reviewer (the scheduler finds every adapter that can send one)."""
        return await self._review.send_digest(reviewer, digest) if self._review is not None else False

    async def _run(self, moderator: Moderator) -> None:
        enforcer = ConsoleEnforcer(self._out, moderator.person_name)
        counters: dict[str, int] = {}
        number = 0
        async for raw in self._input():
            number += 1
            if self._review is not None and self._review.handle(raw):
                continue
            try:
                line = parse_line(raw)
            except ConsoleLineError as exc:
                sys.stderr.write(f"line {number}: {exc}\n")
                continue
            if line is None:
                continue
            counters[line.room] = counters.get(line.room, 0) + 1
            message = self.to_message(line, counters[line.room])
            shown = f"~{line.edit_of} " if line.edit_of else ""
            self._out.write(f"@{line.author} #{line.room} {shown}(#{counters[line.room]}): {line.text}\n")
            outcome = await moderator.handle(message, enforcer)
            self.outcomes.append(outcome)
            if outcome.verdict is None and outcome.skipped:
                self._out.write(f"    (not judged: {outcome.skipped})\n")
            elif outcome.verdict is None:
                self._out.write("    ✓ ok\n")
            elif outcome.duplicate:
                self._out.write("    (already handled)\n")
            elif any(not a.ok for a in outcome.actions if a.kind is not ActionKind.FLAG):
                self._out.write("    ! some actions failed; they are recorded on the incident\n")
            self._out.flush()

    def to_message(self, line: ConsoleLine, number: int) -> Message:
        event = EventId(f"{self._session}-{line.room}-{number}")
        target = EventId(f"{self._session}-{line.room}-{line.edit_of}") if line.edit_of else None
        return Message(
            platform=Platform.CONSOLE,
            room_id=RoomId(line.room),
            event_id=event,
            author=AccountId(line.author),
            text=line.text,
            sent_at=datetime.now(UTC),
            message_id=target,
            author_name=line.author,
            is_edit=line.edit_of is not None,
            mentions=mentions_in(line.text),
        )

    async def _input(self) -> AsyncIterator[str]:
        if self._lines is not None:
            for line in self._lines:
                yield line
            return
        while True:
            # Read stdin in a thread so the event loop (and the scheduler) keep running while the user types.
            line = await asyncio.to_thread(sys.stdin.readline)
            if not line:
                return
            yield line
