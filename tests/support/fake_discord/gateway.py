"""The fake gateway (docs/topics/Gateway.md, docs/topics/Gateway_Events.md, docs/topics/Opcodes_and_Status_Codes.md).

A `Session` is Discord's session: made by IDENTIFY, it outlives its websocket. While no websocket is attached it keeps
buffering the world's events, so a client that reconnects and sends RESUME with its session id and last sequence gets
every missed dispatch replayed, then `RESUMED` (discord.py then fires `resumed`, not `ready`). An expired session
(`Session.expire`, or an unknown one) answers RESUME with op 9 "invalid session" (d=false): the client identifies
afresh and gets READY + GUILD_CREATE, and whatever happened in between is never dispatched to it.

A `Connection` is one websocket: HELLO → IDENTIFY (a bad token closes with 4004, disallowed intents with 4014) or
RESUME, heartbeats/ACKs, and the attached session's dispatches, filtered by the intents the client identified with
and by what its user may see (a channel it cannot view, a private thread it is not in). Frames are zlib-stream
compressed when the client asks for it (discord.py does by default): one shared deflate stream per connection, each
message ending with a sync flush.

REQUEST_GUILD_MEMBERS (op 8) for the whole member list is limited to one per guild per bot every
`World.member_request_window` seconds (30 on Discord, docs/change-log/2025-08-14-introducing-guild-members-rate-
limit.md); a repeat gets a `RATE_LIMITED` dispatch with the nonce and the time to wait.
"""

from __future__ import annotations

import asyncio
import json
import time
import zlib
from typing import Any

from aiohttp import WSMsgType, web

from tests.support.fake_discord import payloads
from tests.support.fake_discord import permissions as p
from tests.support.fake_discord.state import DM, User, World

HEARTBEAT_INTERVAL_MS = 41250
BUFFER_LIMIT = 5000  # dispatches kept for a RESUME

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


class Session:
    """One identified session: its user, intents and sequence, and the dispatches sent so far (for RESUME)."""

    def __init__(self, world: World, user: User, intents: int, session_id: str, large_threshold: int) -> None:
        self.world = world
        self.user = user
        self.intents = intents
        self.id = session_id
        self.large_threshold = large_threshold
        self.seq = 0
        self.buffer: list[dict[str, Any]] = []
        self.connection: Connection | None = None
        self.expired = False
        world.listeners.append(self.on_world_event)

    def expire(self) -> None:
        """The session can no longer be resumed (Discord's "session timed out"); it stops receiving events."""
        self.expired = True
        if self.on_world_event in self.world.listeners:
            self.world.listeners.remove(self.on_world_event)

    def dispatch(self, event: str, d: Any) -> None:
        if self.expired:
            return
        self.seq += 1
        frame = {"op": 0, "d": d, "s": self.seq, "t": event}
        self.buffer.append(frame)
        del self.buffer[:-BUFFER_LIMIT]
        if self.connection is not None:
            self.connection.send(frame)

    def replay_after(self, seq: int) -> list[dict[str, Any]]:
        return [frame for frame in self.buffer if frame["s"] > seq]

    # ---- world events → dispatches, honouring intents and visibility ----

    def _sees(self, channel_id: int) -> bool:
        channel = self.world.channels.get(channel_id)
        if channel is None:
            return False
        return bool(self.world.permissions_in(self.user.id, channel_id) & p.VIEW_CHANNEL)

    def on_world_event(self, event: str, data: dict[str, Any]) -> None:
        world = self.world
        if event in ("MESSAGE_CREATE", "MESSAGE_UPDATE"):
            msg = data["message"]
            is_dm = world.channels[msg.channel_id].type == DM if msg.channel_id in world.channels else False
            if not self.intents & (DIRECT_MESSAGES if is_dm else GUILD_MESSAGES) or not self._sees(msg.channel_id):
                return
            own = msg.author_id == self.user.id
            content = bool(self.intents & MESSAGE_CONTENT) or is_dm or own
            self.dispatch(event, payloads.message(world, msg, with_content=content))
        elif event == "MESSAGE_DELETE" and self.intents & GUILD_MESSAGES:
            self.dispatch(event, {"id": str(data["id"]), "channel_id": str(data["channel_id"]), **self._guild()})
        elif event == "MESSAGE_DELETE_BULK" and self.intents & GUILD_MESSAGES:
            ids = [str(i) for i in data["ids"]]
            self.dispatch(event, {"ids": ids, "channel_id": str(data["channel_id"]), **self._guild()})
        elif event in ("CHANNEL_UPDATE", "CHANNEL_DELETE") and self.intents & GUILDS:
            self.dispatch(event, payloads.channel(world, data["channel"]))
        elif event in ("THREAD_CREATE", "THREAD_UPDATE") and self.intents & GUILDS:
            thread = data["channel"]
            only = data.get("only")
            if (only is not None and only != self.user.id) or not self._sees(thread.id):
                return
            extra = {"newly_created": True} if event == "THREAD_CREATE" and only is None else {}
            self.dispatch(event, payloads.channel(world, thread) | extra)
        elif event in ("GUILD_MEMBER_UPDATE", "GUILD_MEMBER_ADD") and self.intents & GUILD_MEMBERS:
            self.dispatch(event, {**payloads.member(world, data["member"]), **self._guild()})
        elif event == "GUILD_MEMBER_REMOVE" and self.intents & GUILD_MEMBERS:
            gone = world.users[data["user_id"]]
            self.dispatch(event, {"user": payloads.user(gone), **self._guild()})

    def _guild(self) -> dict[str, str]:
        return {"guild_id": str(self.world.guild_id)}


class Connection:
    """One client's websocket. Outgoing frames go through a queue so events keep their order."""

    def __init__(
        self,
        world: World,
        ws: web.WebSocketResponse,
        sessions: dict[str, Session],
        *,
        compress: bool,
        app_id: int,
        url: str = "",
    ) -> None:
        self.world = world
        self.url = url  # where a client resumes
        self.ws = ws
        self.app_id = app_id
        self.sessions = sessions
        self._deflate = zlib.compressobj() if compress else None
        self._queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self.session: Session | None = None
        self.received: list[dict[str, Any]] = []  # every frame the client sent, for tests
        self.closed_by_server = False
        self._replaced: asyncio.Future[None] | None = None  # closing the connection this one took over from

    @property
    def user(self) -> User | None:
        return self.session.user if self.session is not None else None

    async def run(self) -> None:
        writer = asyncio.create_task(self._write_loop())
        self.send({"op": 10, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}, "s": None, "t": None})
        try:
            async for frame in self.ws:
                if frame.type is not WSMsgType.TEXT:
                    break
                await self._handle(json.loads(frame.data))
        finally:
            session = self.session
            if session is not None and session.connection is self:
                session.connection = None  # the session lives on, buffering, until resumed or expired
                if not self.closed_by_server and self.ws.close_code in (1000, 1001):
                    session.expire()  # a client that closes with 1000/1001 ends its session (Gateway.md)
            self._queue.put_nowait(None)
            await writer

    def send(self, frame: dict[str, Any]) -> None:
        self._queue.put_nowait(frame)

    async def close(self, code: int) -> None:
        self.closed_by_server = True
        await self.ws.close(code=code, message=b"going away")

    def send_op(self, op: int, d: Any) -> None:
        self.send({"op": op, "d": d, "s": None, "t": None})

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
        elif op == 6:  # resume
            self._resume(d if isinstance(d, dict) else {})
        elif op == 8 and self.session is not None:
            self._request_members(d if isinstance(d, dict) else {})

    async def _identify(self, d: dict[str, Any]) -> None:
        user = self.world.user_for_token(str(d.get("token", "")))
        if user is None or not user.bot:
            await self.ws.close(code=CLOSE_AUTHENTICATION_FAILED, message=b"Authentication failed.")
            return
        intents = int(d.get("intents", 0))
        if intents & PRIVILEGED & ~self.world.privileged_intents:
            await self.ws.close(code=CLOSE_DISALLOWED_INTENTS, message=b"Disallowed intent(s).")
            return
        session_id = f"session-{user.id}-{self.world.snowflake()}"
        session = Session(self.world, user, intents, session_id, int(d.get("large_threshold", 50)))
        self.sessions[session_id] = session
        self._attach(session)
        member = user.id in self.world.members  # a bot only hears about guilds it is in
        session.dispatch(
            "READY",
            {
                "v": 10,
                "user": payloads.user(user),
                "guilds": [{"id": str(self.world.guild_id), "unavailable": True}] if member else [],
                "session_id": session_id,
                "resume_gateway_url": self.url,
                "application": {"id": str(self.app_id), "flags": 0},
                "private_channels": [],
                "relationships": [],
            },
        )
        if member and intents & GUILDS:
            guild = payloads.guild(
                self.world, user.id, presences=bool(intents & GUILD_PRESENCES), large_threshold=session.large_threshold
            )
            session.dispatch("GUILD_CREATE", guild)

    def _resume(self, d: dict[str, Any]) -> None:
        session = self.sessions.get(str(d.get("session_id")))
        token_ok = session is not None and session.user.token == str(d.get("token", ""))
        if session is None or session.expired or not token_ok or not isinstance(d.get("seq"), int):
            self.send_op(9, False)
            return
        for frame in session.replay_after(int(d["seq"])):
            self.send(frame)
        self._attach(session)
        session.dispatch("RESUMED", {})

    def _attach(self, session: Session) -> None:
        old = session.connection
        session.connection = self
        self.session = session
        if old is not None and old is not self:
            self._replaced = asyncio.ensure_future(old.close(4000))

    def _request_members(self, d: dict[str, Any]) -> None:
        assert self.session is not None
        world, session = self.world, self.session
        nonce = d.get("nonce")
        whole_list = not d.get("query") and not d.get("user_ids") and int(d.get("limit", 0) or 0) == 0
        if whole_list:
            key = (session.user.id, world.guild_id)
            now = time.monotonic()
            last = world.member_requests.get(key)
            if last is not None and now - last < world.member_request_window:
                meta = {"guild_id": str(world.guild_id), "nonce": nonce}
                retry_after = world.member_request_window - (now - last)
                session.dispatch("RATE_LIMITED", {"opcode": 8, "retry_after": round(retry_after, 3), "meta": meta})
                return
            world.member_requests[key] = now
        session.dispatch(
            "GUILD_MEMBERS_CHUNK",
            {
                "guild_id": str(world.guild_id),
                "members": [payloads.member(world, m) for m in world.members.values()],
                "chunk_index": 0,
                "chunk_count": 1,
                "nonce": nonce,
            },
        )
