"""Chat review commands, platform-neutral: `!ack 12`, `!resolve 12 note; measure: …; parents: yes`,
`!dismiss 12 [note]`, `!escalate 12 coordinator|leadership|police [note]`, `!show 12`, `!list [status]`, `!help`
(and their Dutch names: `!oppakken`, `!opgelost`, `!afwijzen`, `!escaleer`, `!toon`, `!lijst`, `!hulp`).

Every chat front end (the console, Matrix's rooms, Discord's buttons) parses here and runs the command through the
ReviewService (`execute`: verb → service); `ChatReview` answers in the texts' language and keeps the cards in step.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from moderation.incidents.access import Actor
from moderation.incidents.cards import render_text
from moderation.incidents.review import Result, ReviewResult, ReviewService
from moderation.model import IncidentStatus
from moderation.texts import Phrase, Texts

if TYPE_CHECKING:
    from moderation.incidents.card_ledger import CardLedger

VERBS = ("ack", "resolve", "dismiss", "escalate", "show", "list", "help")
CHANGES = frozenset({"ack", "resolve", "dismiss", "escalate"})  # the verbs that change an incident
_ALIASES = {
    "acknowledge": "ack",
    "oppakken": "ack",
    "opgelost": "resolve",
    "afwijzen": "dismiss",
    "escaleer": "escalate",
    "toon": "show",
    "lijst": "list",
    "hulp": "help",
}
_YES = {"yes", "y", "ja", "j", "true", "1"}
_NO = {"no", "n", "nee", "false", "0"}
STATUSES = tuple(s.value for s in IncidentStatus)


class CommandError(ValueError):
    """A command that cannot be run as typed: `kind` says what is wrong, `value` what was typed (the texts turn it
    into a sentence with a usage hint)."""

    def __init__(self, kind: str, value: str = "") -> None:
        super().__init__(f"{kind}: {value}" if value else kind)
        self.kind = kind
        self.value = value


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
    """Parse one `!verb …` line; CommandError when it cannot be understood."""
    words = text.strip().lstrip("!").split(maxsplit=1)
    if not words:
        raise CommandError("empty")
    verb = _ALIASES.get(words[0].lower(), words[0].lower())
    rest = words[1].strip() if len(words) > 1 else ""
    if verb not in VERBS:
        raise CommandError("unknown-verb", words[0])
    if verb == "help":
        return ReviewCommand("help")
    if verb == "list":
        if rest and rest.lower() not in STATUSES:
            raise CommandError("list-status", rest)
        return ReviewCommand("list", text=rest.lower())
    number, _, rest = rest.partition(" ")
    number = number.lstrip("#")
    if not number:
        raise CommandError("needs-number", verb)
    if not (number.isascii() and number.isdigit()) or len(number) > 12:
        raise CommandError("not-a-number", number)
    incident_id = int(number)
    rest = rest.strip()
    if verb == "escalate":
        target, _, note = rest.partition(" ")
        if not target:
            raise CommandError("needs-level")
        return ReviewCommand(verb, incident_id, text=note.strip(), target=target)
    if verb == "resolve":
        note, measure, parents = _resolution(rest)
        if not note:
            raise CommandError("needs-note", str(incident_id))
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
                raise CommandError("parents", value.strip())
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


def added_names(service: ReviewService, result: ReviewResult) -> list[str]:
    people = [service.actor_by_id(str(pid)) for pid in result.added]
    return [a.person.name for a in people if a is not None and a.person is not None]


def run_command(service: ReviewService, texts: Texts, actor: Actor, command: ReviewCommand) -> str:
    """Run a parsed command as `actor`; the text to show them."""
    if command.verb == "help":
        return texts.phrase(Phrase.HELP)
    if command.verb == "list":
        return texts.incident_list(
            service.list_for(actor, status=IncidentStatus(command.text) if command.text else None), command.text
        )
    result = execute(service, actor, command)
    if command.verb == "show" and result.card is not None and result.ok:
        return render_text(result.card, texts)
    return texts.answer(command, result, added_names(service, result))


def parsed(texts: Texts, actor: Actor | None, text: str) -> ReviewCommand | str:
    """The command typed, or the sentence that says why it cannot be run (no reviewer, or mistyped)."""
    if actor is None:
        return texts.phrase(Phrase.NOT_A_REVIEWER)
    try:
        return parse_command(text)
    except CommandError as exc:
        return texts.command_error(exc)


def answer(service: ReviewService, texts: Texts, actor: Actor | None, text: str) -> str:
    """Parse and run (the console's synchronous path); every failure becomes a sentence."""
    command = parsed(texts, actor, text)
    if isinstance(command, str) or actor is None:
        return str(command)
    return run_command(service, texts, actor, command)


class ChatReview:
    """Typed commands, reactions and presses on one chat platform: run as the sender, answered in the texts'
    language, and after a change every copy of the card on that platform follows (through its card ledger)."""

    def __init__(self, service: ReviewService, texts: Texts, ledger: CardLedger | None = None) -> None:
        self._service = service
        self.texts = texts
        self.ledger = ledger
        # One change at a time: the service's row lock is a no-op on SQLite, where two changes at once could
        # otherwise both find the incident open. Changes take milliseconds, so one lock for all is enough.
        self._changing = asyncio.Lock()

    async def answer(self, actor: Actor | None, text: str) -> str:
        """Parse and run a typed line; every failure becomes a sentence for the person who typed it."""
        command = parsed(self.texts, actor, text)
        if isinstance(command, str) or actor is None:
            return str(command)
        return await self.run(actor, command)

    async def run(self, actor: Actor, command: ReviewCommand) -> str:
        if command.verb not in CHANGES:
            return await asyncio.to_thread(run_command, self._service, self.texts, actor, command)
        result = await self.change(actor, command)
        said = self.say(command, result)
        if result.result is Result.DONE and self.ledger is not None and await self.ledger.follow(result):
            return f"{said} {self.texts.phrase(Phrase.NOT_DELIVERED_EVERYWHERE)}"
        return said

    async def change(self, actor: Actor, command: ReviewCommand) -> ReviewResult:
        async with self._changing:
            return await asyncio.to_thread(execute, self._service, actor, command)

    def say(self, command: ReviewCommand, result: ReviewResult) -> str:
        return self.texts.answer(command, result, added_names(self._service, result))
