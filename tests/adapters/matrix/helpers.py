"""Test helpers: the school's accounts on the real Synapse, rooms, sending, and a running bot on a real core."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from adapters.matrix.client import MatrixAdapter
from adapters.matrix.config import MatrixConfig, MatrixSecrets
from bot.app import Core
from moderation.incidents.model import Incident
from moderation.incidents.review import ReviewService
from moderation.model import AccountId, Category, Classification, Evidence, Platform
from moderation.ports import Directory
from tests.support.core import SAMPLE_PEOPLE, make_core
from tests.support.incidents import list_incidents
from tests.support.synapse import Account, SynapseServer

# Synapse localparts; the roster ids are the same (see SAMPLE_PEOPLE), plus the bot.
SCHOOL_ACCOUNTS = ("bot", "dir", "abc", "jan", "eva", "sanne", "daan", "noor")
MARKER = "sukkel"  # the word the test classifier calls an insult


class KeywordClassifier:
    """A stand-in for the text tier (owned by another helper): an insult when the marker word appears."""

    def __init__(self, marker: str = MARKER) -> None:
        self.marker = marker

    async def classify(self, text: str) -> Classification:
        if self.marker in text.lower():
            evidence = (Evidence(Category.INSULT, 0.97, f"insult '{self.marker}'"),)
            return Classification(((Category.INSULT, 0.97),), evidence)
        return Classification(((Category.INSULT, 0.01),))


@dataclass
class School:
    server: SynapseServer
    accounts: dict[str, Account]

    def uid(self, name: str) -> str:
        return self.accounts[name].user_id

    def people(self) -> list[dict[str, str]]:
        return [{**p, "matrix_id": self.uid(p["id"])} if p["id"] in self.accounts else p for p in SAMPLE_PEOPLE]

    async def api(self, name: str, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        token = self.accounts[name].access_token
        return await asyncio.to_thread(self.server.api, method, path, token, body)

    async def create_room(
        self,
        owner: str,
        *,
        members: tuple[str, ...] = (),
        levels: dict[str, int] | None = None,
        encrypted: bool = False,
        invite_bot: bool = True,
    ) -> str:
        """A room made by `owner`; `members` join; the bot is invited (and joins when the adapter starts)."""
        body: dict[str, Any] = {"preset": "private_chat", "name": f"room-{uuid.uuid4().hex[:6]}"}
        users = {self.uid(name): level for name, level in (levels or {}).items()}
        if users:
            body["power_level_content_override"] = {"users": users}
        if encrypted:
            body["initial_state"] = [
                {"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}
            ]
        room_id = str((await self.api(owner, "POST", "/_matrix/client/v3/createRoom", body))["room_id"])
        for name in (*members, *(("bot",) if invite_bot else ())):
            await self.api(
                owner, "POST", f"/_matrix/client/v3/rooms/{quote(room_id)}/invite", {"user_id": self.uid(name)}
            )
            if name != "bot":
                await self.api(name, "POST", f"/_matrix/client/v3/rooms/{quote(room_id)}/join", {})
        return room_id

    async def send(self, name: str, room_id: str, body: str, **extra: Any) -> str:
        content = {"msgtype": "m.text", "body": body, **extra}
        return await self.send_event(name, room_id, "m.room.message", content)

    async def send_event(self, name: str, room_id: str, event_type: str, content: dict[str, Any]) -> str:
        path = f"/_matrix/client/v3/rooms/{quote(room_id)}/send/{event_type}/{uuid.uuid4().hex}"
        return str((await self.api(name, "PUT", path, content))["event_id"])

    async def redact(self, name: str, room_id: str, event_id: str) -> str:
        path = f"/_matrix/client/v3/rooms/{quote(room_id)}/redact/{quote(event_id)}/{uuid.uuid4().hex}"
        return str((await self.api(name, "PUT", path, {}))["event_id"])

    async def edit(self, name: str, room_id: str, original: str, body: str) -> str:
        return await self.send(
            name,
            room_id,
            f" * {body}",
            **{
                "m.new_content": {"msgtype": "m.text", "body": body},
                "m.relates_to": {"rel_type": "m.replace", "event_id": original},
            },
        )

    async def event(self, name: str, room_id: str, event_id: str) -> dict[str, Any]:
        return await self.api(name, "GET", f"/_matrix/client/v3/rooms/{quote(room_id)}/event/{quote(event_id)}")

    async def power_levels(self, name: str, room_id: str) -> dict[str, Any]:
        return await self.api(name, "GET", f"/_matrix/client/v3/rooms/{quote(room_id)}/state/m.room.power_levels/")

    async def set_power_levels(self, name: str, room_id: str, content: dict[str, Any]) -> str:
        path = f"/_matrix/client/v3/rooms/{quote(room_id)}/state/m.room.power_levels/"
        return str((await self.api(name, "PUT", path, content))["event_id"])

    async def timeline(self, name: str, room_id: str, limit: int = 50) -> list[dict[str, Any]]:
        path = f"/_matrix/client/v3/rooms/{quote(room_id)}/messages?dir=b&limit={limit}"
        chunk: list[dict[str, Any]] = (await self.api(name, "GET", path))["chunk"]
        return chunk

    async def rooms_of(self, name: str) -> set[str]:
        """The rooms `name` is in or invited to."""
        rooms = (await self.api(name, "GET", "/_matrix/client/v3/sync?timeout=0")).get("rooms", {})
        return {*rooms.get("invite", {}), *rooms.get("join", {})}

    async def notices_from_bot(self, name: str, leave_out: Collection[str] = ()) -> list[str]:
        """The bodies of the bot's notices in every room `name` is in (private notices are invites: accepted),
        but those in `leave_out` (rooms of earlier tests, which share the accounts)."""
        sync = await self.api(name, "GET", "/_matrix/client/v3/sync?timeout=0")
        rooms = sync.get("rooms", {})
        for room_id in rooms.get("invite", {}):
            await self.api(name, "POST", f"/_matrix/client/v3/rooms/{quote(room_id)}/join", {})
        bodies = []
        for room_id in [*rooms.get("invite", {}), *rooms.get("join", {})]:
            if room_id in leave_out:
                continue
            for event in await self.timeline(name, room_id, limit=10):
                if event["sender"] == self.uid("bot") and event["type"] == "m.room.message":
                    bodies.append(str(event["content"].get("body", "")))
        return bodies

    def make_core(self, tmp_path: Path, rooms: list[dict[str, Any]], **kwargs: Any) -> Core:
        return make_core(
            tmp_path,
            rooms=rooms,
            people=self.people(),
            classifier=kwargs.pop("classifier", KeywordClassifier()),
            bot_accounts=frozenset({(Platform.MATRIX, AccountId(self.uid("bot")))}),
            **kwargs,
        )

    def adapter(
        self,
        core: Core,
        store_dir: Path,
        *,
        review_room: str | None = None,
        token: str | None = None,
        review_service: ReviewService | None = None,
        directory: Callable[[], Directory] | None = None,
        rate_limited: Callable[[float], None] | None = None,
        **config: Any,
    ) -> MatrixAdapter:
        settings = MatrixConfig(
            homeserver=self.server.url,
            user_id=self.uid("bot"),
            store_dir=store_dir,
            review_room_id=review_room,
            sync_timeout_ms=config.pop("sync_timeout_ms", 2_000),
            max_backoff_s=config.pop("max_backoff_s", 1.0),
            # The test accounts read over plain HTTP; the encrypted direct room has its own test.
            encrypt_direct_rooms=config.pop("encrypt_direct_rooms", False),
            **config,
        )
        secrets = MatrixSecrets(access_token=token or self.new_bot_token())
        return MatrixAdapter(
            settings, secrets, core.state, review_service=review_service, directory=directory, rate_limited=rate_limited
        )

    def new_bot_token(self) -> str:
        """A fresh login (a new device), as a new installation of the bot would have."""
        bot = self.accounts["bot"]
        body = {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": bot.user_id}}
        login = self.server.api("POST", "/_matrix/client/v3/login", "", {**body, "password": bot.password})
        return str(login["access_token"])


def room(room_id: str, kind: str, **extra: Any) -> dict[str, Any]:
    """One [[rooms]] entry. The test rooms are made by teachers' accounts, so a student-run room lets staff in
    (R10's exemption) unless a test of that rule says `staff_may_join=False`."""
    if kind == "student-run":
        extra.setdefault("staff_may_join", True)
    return {"platform": "matrix", "id": room_id, "name": extra.pop("name", f"{kind}-room"), "kind": kind, **extra}


def incidents(core: Core) -> list[Incident]:
    with core.sessions() as session:
        return list_incidents(session)


async def eventually(check: Callable[[], Any], timeout: float = 15.0, what: str = "condition") -> Any:
    """Poll `check` (sync or async) until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.05)


def is_redacted(event: dict[str, Any]) -> bool:
    return not event.get("content") and "redacted_because" in event.get("unsigned", {})


async def seen_redacted(school: School, room_id: str, event_id: str) -> bool:
    """Whether the event is redacted as the mentor (jan, in every test room) sees it."""
    return is_redacted(await school.event("jan", room_id, event_id))


async def e2e_client(school: School, name: str, store: Path) -> Any:
    """A student's own end-to-end capable nio client (a fresh device), synced once."""
    from nio import AsyncClient, AsyncClientConfig, LoginResponse

    store.mkdir(parents=True, exist_ok=True)
    account = school.accounts[name]
    client = AsyncClient(
        school.server.url, account.user_id, store_path=str(store), config=AsyncClientConfig(encryption_enabled=True)
    )
    login = await client.login(account.password, device_name=f"{name}-phone")
    assert isinstance(login, LoginResponse), login
    await client.sync(timeout=0, full_state=True)
    if client.should_upload_keys:
        await client.keys_upload()
    return client
