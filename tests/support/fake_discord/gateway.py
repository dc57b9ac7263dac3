"""The fake gateway: one websocket session per connected client.

HELLO → IDENTIFY (a bad token closes with 4004) → READY → GUILD_CREATE, then heartbeats/ACKs and dispatches of the
world's events, filtered by the intents the client identified with. Frames are zlib-stream compressed when the client
asks for it (discord.py does by default): one shared deflate stream, each message ending with a sync flush.
"""

from __future__ import annotations

import asyncio
import json
import zlib
from typing import Any

from aiohttp import WSMsgType, web

from tests.support.fake_discord import payloads
from tests.support.fake_discord.state import DM, User, World

HEARTBEAT_INTERVAL_MS = 41250

# Intent bits (Discord's numbering).
GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_MESSAGES = 1 << 9
DIRECT_MESSAGES = 1 << 12
MESSAGE_CONTENT = 1 << 15

GUILD_PRESENCES = 1 << 8
PRIVILEGED = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT  # switched on per app in the Developer Portal

CLOSE_AUTHENTICATION_FAILED = 4004
CLOSE_DISALLOWED_INTENTS = 4014


class GatewaySession:
    """One client's connection. Outgoing frames go through a queue so world events keep their order."""

    def __init__(self, world: World, ws: web.WebSocketResponse, *, compress: bool, app_id: int, url: str = "") -> None:
        self.world = world
        self.url = url  # where a client reconnects (RESUME is answered with "invalid session": identify again)
        self.ws = ws
        self.app_id = app_id
        self._deflate = zlib.compressobj() if compress else None
        self._seq = 0
        self._queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self.user: User | None = None
        self.intents = 0
        self.received: list[dict[str, Any]] = []  # every frame the client sent, for tests

    async def run(self) -> None:
        writer = asyncio.create_task(self._write_loop())
        self.send_op(10, {"heartbeat_interval": HEARTBEAT_INTERVAL_MS})
        try:
            async for frame in self.ws:
                if frame.type is not WSMsgType.TEXT:
                    break
                await self._handle(json.loads(frame.data))
        finally:
            if self._on_world_event in self.world.listeners:
                self.world.listeners.remove(self._on_world_event)
            self._queue.put_nowait(None)
            await writer

    # ---- outgoing ----

    def send_op(self, op: int, d: Any) -> None:
        self._queue.put_nowait({"op": op, "d": d, "s": None, "t": None})

    def dispatch(self, event: str, d: Any) -> None:
        self._seq += 1
        self._queue.put_nowait({"op": 0, "d": d, "s": self._seq, "t": event})

    async def _write_loop(self) -> None:
        while (frame := await self._queue.get()) is not None:
            if self.ws.closed:
                continue
            text = json.dumps(frame)
            if self._deflate is None:
                await self.ws.send_str(text)
            else:
                data = self._deflate.compress(text.encode()) + self._deflate.flush(zlib.Z_SYNC_FLUSH)
                await self.ws.send_bytes(data)

    # ---- incoming ----

    async def _handle(self, frame: dict[str, Any]) -> None:
        self.received.append(frame)
        op, d = frame.get("op"), frame.get("d")
        if op == 1:  # heartbeat
            self.send_op(11, None)
        elif op == 2:  # identify
            await self._identify(d if isinstance(d, dict) else {})
        elif op == 6:  # resume: sessions are not kept, so ask for a fresh identify
            self.send_op(9, False)
        elif op == 8:  # request guild members
            self.dispatch(
                "GUILD_MEMBERS_CHUNK",
                {
                    "guild_id": str(self.world.guild_id),
                    "members": [payloads.member(self.world, m) for m in self.world.members.values()],
                    "chunk_index": 0,
                    "chunk_count": 1,
                    "nonce": d.get("nonce") if isinstance(d, dict) else None,
                },
            )

    async def _identify(self, d: dict[str, Any]) -> None:
        user = self.world.user_for_token(str(d.get("token", "")))
        if user is None or not user.bot:
            await self.ws.close(code=CLOSE_AUTHENTICATION_FAILED, message=b"Authentication failed.")
            return
        self.user, self.intents = user, int(d.get("intents", 0))
        if self.intents & PRIVILEGED & ~self.world.privileged_intents:
            await self.ws.close(code=CLOSE_DISALLOWED_INTENTS, message=b"Disallowed intent(s).")
            return
        member = user.id in self.world.members  # a bot only hears about guilds it is in
        self.dispatch(
            "READY",
            {
                "v": 10,
                "user": payloads.user(user),
                "guilds": [{"id": str(self.world.guild_id), "unavailable": True}] if member else [],
                "session_id": f"session-{user.id}",
                "resume_gateway_url": self.url,
                "application": {"id": str(self.app_id), "flags": 0},
                "private_channels": [],
                "relationships": [],
            },
        )
        if member and self.intents & GUILDS:
            self.dispatch("GUILD_CREATE", payloads.guild(self.world))
        self.world.listeners.append(self._on_world_event)

    # ---- world events → dispatches, honouring intents ----

    def _on_world_event(self, event: str, data: dict[str, Any]) -> None:
        world = self.world
        if event in ("MESSAGE_CREATE", "MESSAGE_UPDATE"):
            msg = data["message"]
            is_dm = world.channels[msg.channel_id].type == DM if msg.channel_id in world.channels else False
            if not self.intents & (DIRECT_MESSAGES if is_dm else GUILD_MESSAGES):
                return
            own = self.user is not None and msg.author_id == self.user.id
            content = bool(self.intents & MESSAGE_CONTENT) or is_dm or own
            self.dispatch(event, payloads.message(world, msg, with_content=content))
        elif event == "MESSAGE_DELETE" and self.intents & GUILD_MESSAGES:
            self.dispatch(event, {"id": str(data["id"]), "channel_id": str(data["channel_id"]), **self._guild()})
        elif event == "MESSAGE_DELETE_BULK" and self.intents & GUILD_MESSAGES:
            ids = [str(i) for i in data["ids"]]
            self.dispatch(event, {"ids": ids, "channel_id": str(data["channel_id"]), **self._guild()})
        elif event in ("CHANNEL_UPDATE", "CHANNEL_DELETE") and self.intents & GUILDS:
            self.dispatch(event, payloads.channel(world, data["channel"]))
        elif event == "THREAD_CREATE" and self.intents & GUILDS:
            self.dispatch(event, payloads.channel(world, data["channel"]) | {"newly_created": True})
        elif event == "GUILD_MEMBER_UPDATE" and self.intents & GUILD_MEMBERS:
            self.dispatch(event, {**payloads.member(world, data["member"]), **self._guild()})
        elif event == "GUILD_MEMBER_REMOVE" and self.intents & GUILD_MEMBERS:
            gone = world.users[data["user_id"]]
            self.dispatch(event, {"user": payloads.user(gone), **self._guild()})
        elif event in ("INTERACTION_CREATE", "RAW"):
            name, body = (event, data) if event != "RAW" else (data["t"], data["d"])
            self.dispatch(name, body)

    def _guild(self) -> dict[str, str]:
        return {"guild_id": str(self.world.guild_id)}
