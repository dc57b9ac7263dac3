"""The load: the school's accounts and class rooms on the homeserver, and students sending at a fixed rate."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp

from tests.support.synapse import Account

WORD = "sukkel"  # the bare bot's fixed word; every abusive message holds it
ABUSIVE = ("jij bent een {w} {n}", "ik maak je af {w} {n}", "wat ben jij een vieze {w} {n}")
HARMLESS = ("wie heeft het huiswerk van wiskunde {n}", "morgen om half negen bij lokaal 12? {n}", "lol ja klopt {n}")
STUDENTS = [f"leerling{n:02d}" for n in range(1, 11)]
MENTORS = [f"mentor{n}" for n in range(1, 6)]
ACCOUNTS = ["bot", "barebot", "dir", "adjunct", "afdeling", "abc", *MENTORS, *STUDENTS]


@dataclass
class Sent:
    event_id: str
    at_ms: float  # wall clock when the send began
    send_ms: float  # how long the homeserver took to accept it
    abusive: bool


class Http:
    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self._session, self._url = session, url

    async def call(self, token: str, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"}
        async with self._session.request(method, self._url + path, json=body, headers=headers) as resp:
            data: dict[str, Any] = await resp.json()
            if resp.status != 200:
                raise RuntimeError(f"{method} {path}: {resp.status} {data}")
            return data


def people(accounts: dict[str, Account]) -> list[dict[str, str]]:
    """The roster: leadership (the watcher among them), a coordinator, a manager, five mentors, ten students."""
    staff = [
        {"id": "dir", "name": "Directeur De Boer", "role": "staff", "leadership": "yes"},
        {"id": "adjunct", "name": "Mevr. Peters", "role": "staff", "leadership": "yes", "manager": "dir"},
        {"id": "afdeling", "name": "Meneer Kok", "role": "staff", "leadership": "yes", "manager": "dir"},
        {"id": "abc", "name": "Mevr. Yilmaz", "role": "staff", "manager": "dir", "coordinator": "yes"},
    ]
    staff += [{"id": m, "name": f"Docent {m[-1]}", "role": "staff", "manager": "afdeling"} for m in MENTORS]
    students = [
        {"id": s, "name": f"Leerling {s[-2:]}", "role": "student", "class": f"2{n // 2}", "mentor": MENTORS[n // 2]}
        for n, s in enumerate(STUDENTS)
    ]
    return [{**p, "matrix_id": accounts[p["id"]].user_id} for p in [*staff, *students]]


async def class_rooms(http: Http, accounts: dict[str, Account], bot: str, label: str) -> list[str]:
    """Five class rooms made by the watcher (school leadership), two students in each, `bot` invited as admin."""
    made: list[str] = []
    creator = accounts["dir"].access_token
    for n in range(5):
        members = [accounts[s] for s in STUDENTS[2 * n : 2 * n + 2]]
        body = {
            "preset": "private_chat",
            "name": f"{label}-klas-{n}",
            "invite": [m.user_id for m in members] + [accounts[bot].user_id],
            "power_level_content_override": {"users": {accounts[bot].user_id: 100}},  # room v12: never the creator
        }
        room_id = str((await http.call(creator, "POST", "/_matrix/client/v3/createRoom", body))["room_id"])
        for member in members:
            await http.call(member.access_token, "POST", f"/_matrix/client/v3/rooms/{quote(room_id)}/join", {})
        made.append(room_id)
    return made


async def review_room(http: Http, accounts: dict[str, Account]) -> str:
    """School leadership's overview room, the bot invited."""
    leadership = accounts["dir"].access_token
    room_id = str((await http.call(leadership, "POST", "/_matrix/client/v3/createRoom", {}))["room_id"])
    invite = {"user_id": accounts["bot"].user_id}
    await http.call(leadership, "POST", f"/_matrix/client/v3/rooms/{quote(room_id)}/invite", invite)
    return room_id


async def read_it(http: Http, reader: Account, room: str, event_id: str) -> None:
    """A chat app's answer to a message read: a read receipt, then typing a reply (which the bots never need)."""
    where = f"/_matrix/client/v3/rooms/{quote(room)}"
    await http.call(reader.access_token, "POST", f"{where}/receipt/m.read/{quote(event_id)}", {})
    typing = {"typing": True, "timeout": 3000}
    await http.call(reader.access_token, "PUT", f"{where}/typing/{quote(reader.user_id)}", typing)


async def send_step(
    http: Http,
    accounts: dict[str, Account],
    rooms: Sequence[str],
    rate: float,
    seconds: float,
    start_n: int,
    *,
    receipts: bool = False,
) -> list[Sent]:
    """`rate` messages a second for `seconds`, from the ten students in turn; every tenth abusive. With `receipts`,
    the room's other student's client does what a chat app does on reading it: a read receipt, and typing."""
    sent: list[Sent] = []
    pending: list[asyncio.Task[None]] = []
    begin = time.monotonic()

    async def one(n: int) -> None:
        index = n % len(STUDENTS)
        student = STUDENTS[index]
        room = rooms[index // 2]
        abusive = n % 10 == 7
        templates = ABUSIVE if abusive else HARMLESS
        text = templates[(n // 10) % len(templates)].format(w=WORD, n=n)
        path = f"/_matrix/client/v3/rooms/{quote(room)}/send/m.room.message/{uuid.uuid4().hex}"
        at = time.time() * 1000
        answer = await http.call(accounts[student].access_token, "PUT", path, {"msgtype": "m.text", "body": text})
        sent.append(Sent(str(answer["event_id"]), at, time.time() * 1000 - at, abusive))
        if receipts:
            await read_it(http, accounts[STUDENTS[index ^ 1]], room, str(answer["event_id"]))

    total = int(rate * seconds)
    for i in range(total):
        await asyncio.sleep(max(0.0, begin + i / rate - time.monotonic()))
        pending.append(asyncio.create_task(one(start_n + i)))
    await asyncio.gather(*pending)
    return sent
