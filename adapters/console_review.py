"""Review commands typed on the console platform, as a reviewer: `@jan !resolve 12 gesprek gevoerd`.

The console adapter hands every typed line to `ConsoleReview.handle` first; a line that is not a review command
(`None`) goes on to the Moderator as a message, as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from moderation.digest import Digest
from moderation.incidents.cards import render_text
from moderation.incidents.commands import answer
from moderation.incidents.review import ReviewService
from moderation.model import AccountId, Person, Platform
from moderation.texts import Texts

_REVIEW_LINE = re.compile(r"^@(?P<who>[\w.\-]+)\s+(?P<command>!.*)$", re.S)


class ConsoleReview:
    def __init__(self, service: ReviewService, texts: Texts, write: Callable[[str], object]) -> None:
        self._service = service
        self._texts = texts
        self._write = write

    def handle(self, line: str) -> bool:
        """Run `@name !command …` as that console user; True when the line was a review command (answered)."""
        match = _REVIEW_LINE.match(line.strip())
        if match is None:
            return False
        actor = self._service.actor_for(Platform.CONSOLE, AccountId(match["who"].lower()))
        reply = answer(self._service, self._texts, actor, match["command"])
        self._write(line.strip() + "\n")
        self._write("".join(f"    » {row}\n" for row in reply.splitlines() or [""]))
        return True

    async def send_digest(self, reviewer: Person, digest: Digest) -> bool:
        """The console's digest: printed for the reviewer, like every other console output."""
        head, *_ = self._texts.digest(reviewer, digest).splitlines()
        lines = [f"    ✉ {head}"]
        lines += [
            render_text(card, self._texts, with_commands=False).replace("\n", "\n      ") for card in digest.cards
        ]
        self._write("      " + "\n      ".join(lines).lstrip() + "\n")
        return True
