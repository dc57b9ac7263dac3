"""Chat review commands, platform-neutral: `!ack 12`, `!resolve 12 note; measure: …; parents: yes`,
`!dismiss 12 [note]`, `!escalate 12 coordinator|leadership|police [note]`, `!show 12`, `!list [status]`, `!help`.

The console, the Matrix review rooms and anything else that takes typed commands parse them here and run them
through the ReviewService; the answer is one text to post back.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from moderation.incidents.access import Actor
from moderation.incidents.cards import render_text
from moderation.incidents.review import Result, ReviewResult, ReviewService

if TYPE_CHECKING:
    from moderation.incidents.card_ledger import CardLedger

VERBS = ("ack", "resolve", "dismiss", "escalate", "show", "list", "help")
_ALIASES = {"acknowledge": "ack", "opgelost": "resolve", "afwijzen": "dismiss", "escaleer": "escalate"}
_YES = {"yes", "y", "ja", "j", "true", "1"}
_NO = {"no", "n", "nee", "false", "0"}
_STATUSES = ("open", "in-review", "resolved", "dismissed")

HELP = (
    "review commands: !list [open|in-review|resolved|dismissed] · !show N · !ack N · "
    "!resolve N what was done[; measure: …][; parents: yes|no] · !dismiss N [why] · "
    "!escalate N coordinator|leadership|police [why]"
)

NOT_A_REVIEWER = "you are not on the school's roster as a reviewer; ask the administrator"


class CommandError(ValueError):
    """A command that cannot be run as typed; the message says how to type it."""


@dataclass(frozen=True, slots=True)
class ReviewCommand:
    verb: str
    incident_id: int | None = None
    text: str = ""  # the note (resolve, dismiss, escalate) or the status filter (list)
    target: str = ""  # escalate: coordinator / leadership / police
    measure: str | None = None
    parents_informed: bool | None = None


def is_command(text: str) -> bool:
    return text.lstrip().startswith("!")


def parse_command(text: str) -> ReviewCommand:
    """Parse one `!verb …` line; CommandError with a usage hint when it cannot be understood."""
    words = text.strip().lstrip("!").split(maxsplit=1)
    if not words:
        raise CommandError(HELP)
    verb = _ALIASES.get(words[0].lower(), words[0].lower())
    rest = words[1].strip() if len(words) > 1 else ""
    if verb not in VERBS:
        raise CommandError(f"unknown command !{words[0]}; {HELP}")
    if verb == "help":
        return ReviewCommand("help")
    if verb == "list":
        if rest and rest.lower() not in _STATUSES:
            raise CommandError(f"!list takes one of {', '.join(_STATUSES)}, not {rest!r}")
        return ReviewCommand("list", text=rest.lower())
    number, _, rest = rest.partition(" ")
    number = number.lstrip("#")
    if not number:
        raise CommandError(f"!{verb} needs an incident number, e.g. !{verb} 12")
    if not (number.isascii() and number.isdigit()) or len(number) > 12:
        raise CommandError(f"{number!r} is not an incident number")
    incident_id = int(number)
    rest = rest.strip()
    if verb == "escalate":
        target, _, note = rest.partition(" ")
        if not target:
            raise CommandError("!escalate needs a level: coordinator, leadership or police")
        return ReviewCommand(verb, incident_id, text=note.strip(), target=target)
    if verb == "resolve":
        note, measure, parents = _resolution(rest)
        if not note:
            raise CommandError("!resolve needs a note: what was done, e.g. !resolve 12 gesprek gevoerd")
        return ReviewCommand(verb, incident_id, text=note, measure=measure, parents_informed=parents)
    return ReviewCommand(verb, incident_id, text=rest)


def _resolution(rest: str) -> tuple[str, str | None, bool | None]:
    note_parts: list[str] = []
    measure: str | None = None
    parents: bool | None = None
    for part in (p.strip() for p in rest.split(";")):
        key, sep, value = part.partition(":")
        key = key.strip().lower()
        if sep and key in ("measure", "maatregel"):
            measure = value.strip() or None
        elif sep and key in ("parents", "ouders"):
            answer = value.strip().lower()
            if answer not in _YES | _NO:
                raise CommandError(f"parents: yes or no, not {value.strip()!r}")
            parents = answer in _YES
        elif part:
            note_parts.append(part)
    return "; ".join(note_parts), measure, parents


# Reactions on a card, as shortcuts (Matrix, Discord). Resolving needs a note (R13), so it has no reaction.
REACTIONS = {
    "👀": ("ack", ""),
    "❌": ("dismiss", ""),
    "🛡️": ("escalate", "coordinator"),
    "⬆️": ("escalate", "leadership"),
    "🚨": ("escalate", "police"),
}


def reaction_command(key: str, incident_id: int) -> ReviewCommand | None:
    """The command a reaction on incident `incident_id`'s card stands for; None for any other reaction."""
    found = REACTIONS.get(key) or REACTIONS.get(key.replace("\ufe0f", "")) or REACTIONS.get(key + "\ufe0f")
    if found is None:
        return None
    verb, target = found
    return ReviewCommand(verb, incident_id, target=target)


CHANGES = frozenset({"ack", "resolve", "dismiss", "escalate"})  # the verbs that change an incident


def execute(service: ReviewService, actor: Actor, command: ReviewCommand) -> ReviewResult:
    """The service call a command stands for (show or a change), as `actor`."""
    assert command.incident_id is not None and command.verb in CHANGES | {"show"}
    n = command.incident_id
    if command.verb == "show":
        return service.show(n, actor)
    if command.verb == "ack":
        return service.acknowledge(n, actor)
    if command.verb == "resolve":
        measure, parents = command.measure, command.parents_informed
        return service.resolve(n, actor, command.text, measure=measure, parents_informed=parents)
    if command.verb == "dismiss":
        return service.dismiss(n, actor, command.text)
    return service.escalate(n, actor, command.target, command.text)


def run_command(service: ReviewService, actor: Actor, command: ReviewCommand) -> str:
    """Run a parsed command as `actor`; the text to show them."""
    if command.verb == "help":
        return HELP
    if command.verb == "list":
        cards = service.list_for(actor, status=command.text or None)
        if not cards:
            return "no incidents for you" + (f" with status {command.text}" if command.text else "")
        return "\n".join(f"#{c.id} {c.status:<9} {c.rule_id} {c.category:<14} {c.room} · {c.author}" for c in cards)
    result = execute(service, actor, command)
    if command.verb == "show":
        return render_text(result.card) if result.card is not None and result.ok else result.message
    return result.message


class ChatReview:
    """Typed commands and reactions on one chat platform: run as the sender, answered in words, and after a change
    every copy of the card on that platform follows (through its card ledger, when it keeps cards)."""

    def __init__(self, service: ReviewService, ledger: CardLedger | None = None) -> None:
        self._service = service
        self.ledger = ledger
        # One change at a time: the service's row lock is a no-op on SQLite, where two changes at once could
        # otherwise both find the incident open. Changes take milliseconds, so one lock for all is enough.
        self._changing = asyncio.Lock()

    async def answer(self, actor: Actor | None, text: str) -> str:
        """Parse and run a typed line; every failure becomes a sentence for the person who typed it."""
        if actor is None:
            return NOT_A_REVIEWER
        try:
            command = parse_command(text)
        except CommandError as exc:
            return str(exc)
        return await self.run(actor, command)

    async def run(self, actor: Actor, command: ReviewCommand) -> str:
        if command.verb not in CHANGES:
            return await asyncio.to_thread(run_command, self._service, actor, command)
        result = await self.change(actor, command)
        if result.result is not Result.DONE or self.ledger is None:
            return result.message
        if await self.ledger.follow(result):
            return f"{result.message}; not every card could be delivered (they find it in their digest)"
        return result.message

    async def change(self, actor: Actor, command: ReviewCommand) -> ReviewResult:
        async with self._changing:
            return await asyncio.to_thread(execute, self._service, actor, command)


def answer(service: ReviewService, actor: Actor | None, text: str) -> str:
    """Parse and run; every failure becomes a sentence for the person who typed it."""
    if actor is None:
        return NOT_A_REVIEWER
    try:
        command = parse_command(text)
    except CommandError as exc:
        return str(exc)
    return run_command(service, actor, command)
