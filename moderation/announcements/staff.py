"""A staff member posts one announcement to the announcement rooms of several classes at once, from their private
chat with the bot, and retracts it everywhere with one command:

    !mededeling 2b 3a: Morgen geen gym, neem je boek mee
    !intrekken 41

Only staff (per the roster) may announce, and only in rooms they may post in (R10: the room's posters, or every
staff member where `posters` says "staff"). The post names the teacher. The rooms' posts go through the same durable
queue as the timetable relay's (`announcement_posts`), paced by the platforms' own limits.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from moderation.announcements.compose import clean
from moderation.announcements.fanout import Fanout
from moderation.announcements.plan import Plan, WantedPost
from moderation.announcements.store import AnnouncementPosts
from moderation.announcements.targets import RoomKey, RoomTargets
from moderation.model import AccountId, Person, Platform, Role
from moderation.ports import Clock, Directory

TEXT_LIMIT = 1500
_POST = re.compile(r"^!mededeling\s+(?P<classes>[^:]+?)\s*:\s*(?P<text>.+)$", re.IGNORECASE | re.DOTALL)
_RETRACT = re.compile(r"^!intrekken\s+(?P<code>\d{1,9})\s*$", re.IGNORECASE)

HOW = "Zo werkt het: !mededeling 2b 3a: je bericht — en intrekken met !intrekken <nummer>."
NOT_STAFF = "Alleen medewerkers van de school kunnen mededelingen versturen."


@dataclass(frozen=True, slots=True)
class Announce:
    classes: tuple[str, ...]
    text: str


@dataclass(frozen=True, slots=True)
class Retract:
    code: int


def parse(text: str) -> Announce | Retract | str | None:
    """The command; a Dutch explanation (str) when it is one of ours but malformed; None when it is not ours."""
    stripped = text.strip()
    lowered = stripped.lower()
    if not lowered.startswith(("!mededeling", "!intrekken")):
        return None
    if (found := _RETRACT.match(stripped)) is not None:
        return Retract(int(found["code"]))
    if (found := _POST.match(stripped)) is not None:
        classes = tuple(dict.fromkeys(c.upper() for c in re.split(r"[\s,]+", found["classes"]) if c))
        body = clean(found["text"], TEXT_LIMIT)
        if classes and body:
            return Announce(classes, body)
    return HOW


def may_post(person: Person, posters: frozenset[str], staff_may_post: bool) -> bool:
    return person.id in posters or (staff_may_post and person.role is Role.STAFF)


RoomRule = Callable[[Platform, str], tuple[frozenset[str], bool] | None]  # a room's (posters, staff may post)


class StaffAnnouncements:
    def __init__(
        self,
        posts: AnnouncementPosts,
        targets: RoomTargets,
        room_rule: RoomRule,
        directory: Callable[[], Directory],
        fanout: Fanout,
        clock: Clock,
    ) -> None:
        self._posts = posts
        self._targets = targets
        self._room_rule = room_rule
        self._directory = directory
        self._fanout = fanout
        self._clock = clock

    @property
    def lock(self) -> asyncio.Lock:
        return self._fanout.lock

    async def handle(self, platform: Platform, account: str, text: str, command_id: str = "") -> str | None:
        """Run a command typed in the sender's private chat with the bot; the reply (None: not a command of ours).
        `command_id` (the platform's id of the command message) makes a replayed command post nothing twice."""
        command = parse(text)
        if command is None:
            return None
        person = self._directory().person_for(platform, AccountId(account))
        if person is None or person.role is not Role.STAFF:
            return NOT_STAFF
        if isinstance(command, str):
            return command
        if isinstance(command, Retract):
            return await self._retract(person, command.code)
        return await self._announce(person, command, f"{platform.value}:{command_id}" if command_id else "")

    async def _announce(self, person: Person, command: Announce, command_id: str) -> str:
        unknown = [c for c in command.classes if not self._targets.classes_of(c)]
        if unknown:
            return f"Onbekende klas: {', '.join(unknown)}. {HOW}"
        reached = self._targets.rooms_for(command.classes)
        allowed: dict[RoomKey, tuple[str, ...]] = {}
        refused: list[str] = []
        for (platform, room_id), classes in reached.items():
            rule = self._room_rule(platform, room_id)
            if rule is not None and may_post(person, *rule):
                allowed[(platform, room_id)] = classes
            else:
                refused.append("/".join(classes))
        if not allowed:
            said = f" (niet toegestaan voor {', '.join(sorted(set(refused)))})" if refused else ""
            return f"Er is geen mededelingenruimte waarin jij voor deze klassen mag posten{said}."
        now = self._clock.now()
        unique = hashlib.sha256(command_id.encode()).hexdigest()[:16] if command_id else secrets.token_hex(8)
        key = f"staff:{unique}"
        wanted = tuple(
            WantedPost(
                key, platform, room_id, f"Mededeling van {person.name} ({'/'.join(cls)}): {command.text}", "1", now
            )
            for (platform, room_id), cls in allowed.items()
        )
        self._posts.apply(Plan(wanted, frozenset(), now, now, prefix=key), now, author=person.id)
        code = self._posts.first_id(key)
        progress = await self._fanout.deliver()
        places = self._posts.places(key)
        done = sum(1 for *_, status in places if status == "done")
        lines = [f"Verstuurd naar {done} van {len(places)} ruimtes (nummer {code}; intrekken: !intrekken {code})."]
        if progress.held:
            lines.append("Het is nu nachtrust: wat nog niet verstuurd is, gaat om het einde ervan de deur uit.")
        elif done < len(places):
            lines.append("Wat nog niet lukte, wordt vanzelf opnieuw geprobeerd.")
        if refused:
            lines.append(f"Niet verstuurd naar {', '.join(sorted(set(refused)))}: daar mag jij niet posten.")
        return " ".join(lines)

    async def _retract(self, person: Person, code: int) -> str:
        key = self._posts.key_of(code)
        places = self._posts.places(key) if key else []
        if key is None or not places:
            return f"Mededeling {code} bestaat niet."
        author = places[0][2]
        if author != person.id and not person.is_leadership:
            return (
                f"Mededeling {code} is niet van jou; alleen wie haar verstuurde (of de schoolleiding) kan haar "
                "intrekken."
            )
        now = self._clock.now()
        self._posts.apply(Plan((), frozenset({key}), now, now, prefix=key), now)
        await self._fanout.deliver()
        left = sum(1 for *_, status in self._posts.places(key) if status != "done")
        if left:
            return (
                f"Mededeling {code} wordt ingetrokken; in {left} ruimte(s) lukte het nog niet, dat wordt vanzelf "
                "opnieuw geprobeerd."
            )
        return f"Mededeling {code} is overal ingetrokken."
