"""`FakeDiscord`: the REST API and the gateway of one fake guild, on 127.0.0.1 with a free port, in-process.

    world = World()                         # build the guild: users, roles, channels
    async with FakeDiscord(world).running() as fake:
        client = ...                        # discord.py's real Client: login(token) then create_task(connect())
        fake.world.create_message(student.id, channel.id, "hoi")   # a human posts (permission-checked)
        await fake.wait_for(lambda: ...)    # poll until the bot has reacted

While running, discord.py's `Route.BASE` and `DiscordWebSocket.DEFAULT_GATEWAY` point at this server (a non-sharded
`connect()` never asks `/gateway/bot`, so both are needed); they are restored on exit.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

import discord
import yarl
from aiohttp import web

from tests.support.fake_discord import interactions, payloads
from tests.support.fake_discord.gateway import Connection, Session
from tests.support.fake_discord.rest import RestApi
from tests.support.fake_discord.state import StoredMessage, User, World

INTERACTION_APPLICATION_COMMAND = 2
COMMAND_CHAT_INPUT = 1
COMMAND_MESSAGE = 3


class FakeDiscord:
    def __init__(self, world: World) -> None:
        self.world = world
        self.app_id = world.snowflake()
        self.rest = RestApi(world, app_id=self.app_id)
        self.sessions: list[Connection] = []  # open websockets
        self.connections: list[Connection] = []  # every websocket so far, open or closed
        self.gateway_sessions: dict[str, Session] = {}  # Discord's sessions, resumable until expired
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def start(self) -> None:
        app = web.Application()
        for method, path, handler in self.rest.routes():
            app.router.add_route(method, path, self.rest.wrap(handler))
        app.router.add_get("/gateway", self._gateway)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self.rest.gateway_url = self.gateway_url

    async def stop(self) -> None:
        for connection in list(self.sessions):
            await connection.close(1001)
        if self._runner is not None:
            await self._runner.cleanup()

    @asynccontextmanager
    async def running(self) -> AsyncIterator[FakeDiscord]:
        """Start the server and point discord.py at it; restore discord.py's URLs afterwards."""
        await self.start()
        old_base, old_gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        discord.http.Route.BASE = self.base_url
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        try:
            yield self
        finally:
            discord.http.Route.BASE = old_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway
            await self.stop()

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        compress = request.query.get("compress") == "zlib-stream"
        session = Connection(
            self.world, ws, self.gateway_sessions, compress=compress, app_id=self.app_id, url=self.gateway_url
        )
        self.sessions.append(session)
        self.connections.append(session)
        try:
            await session.run()
        finally:
            self.sessions.remove(session)
        return ws

    # ---- conveniences for tests ----

    async def drop_connections(self, code: int = 1001, *, expire: bool = False) -> None:
        """A gateway outage: close every websocket. The sessions live on and buffer events, so the clients
        RESUME and get what they missed; with `expire`, the sessions end too and the clients must identify afresh
        (a RESUME is answered "invalid session"), missing whatever happened in between."""
        if expire:
            self.expire_sessions()
        for connection in list(self.sessions):
            await connection.close(code)

    def expire_sessions(self) -> None:
        for session in self.gateway_sessions.values():
            session.expire()

    def live_sessions(self) -> list[Session]:
        return [s for s in self.gateway_sessions.values() if not s.expired]

    def send_raw(self, event: str, payload: dict[str, Any]) -> None:
        """Dispatch any payload, however malformed, to every live session (for bad-input tests)."""
        for session in self.live_sessions():
            session.dispatch(event, payload)

    def invoke_command(
        self,
        user: User,
        channel_id: int,
        name: str,
        *,
        target: StoredMessage | None = None,
        options: list[dict[str, Any]] | None = None,
    ) -> int:
        """A member uses an application command: a message context-menu command when `target` is given,
        otherwise a slash command with `options`. Returns the interaction id (see `rest.interaction_responses`)."""
        world = self.world
        command = next((c for c in self.rest.commands if c["name"] == name), None)
        data: dict[str, Any] = {
            "id": command["id"] if command else str(world.snowflake()),
            "name": name,
            "type": COMMAND_MESSAGE if target is not None else COMMAND_CHAT_INPUT,
            "guild_id": str(world.guild_id),
        }
        if target is not None:
            data["target_id"] = str(target.id)
            data["resolved"] = {"messages": {str(target.id): payloads.message(world, target)}}
        else:
            data["options"] = options or []
        interaction_id = world.snowflake()
        member = world.members[user.id]
        body = {
            "id": str(interaction_id),
            "application_id": str(self.app_id),
            "type": INTERACTION_APPLICATION_COMMAND,
            "data": data,
            "guild_id": str(world.guild_id),
            "channel_id": str(channel_id),
            "channel": payloads.channel(world, world.channel(channel_id)),
            "member": {
                **payloads.member(world, member),
                "permissions": str(world.permissions_in(user.id, channel_id)),
            },
            "token": f"interaction-token-{interaction_id}",
            "version": 1,
            "locale": "nl",
            "guild_locale": "nl",
            "app_permissions": "0",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(world.guild_id)},
            "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        self._dispatch_interaction(body)
        return interaction_id

    def press(
        self,
        user: User,
        message: StoredMessage,
        custom_id: str,
        *,
        values: list[str] | None = None,
        forged: bool = False,
        age: float = 0.0,
    ) -> int:
        """A member clicks a button (or picks `values` in a select menu) on a message. Returns the interaction id.
        `forged`: a custom_id the message does not carry (see `interactions.component_press`). `age`: the press
        reaches the bot this many seconds after it was made (a slow gateway), counting towards the 3 s."""
        body = interactions.component_press(self.world, self.app_id, user, message, custom_id, values, forged=forged)
        return self._dispatch_interaction(body, age=age)

    def submit_modal(
        self,
        user: User,
        channel_id: int,
        custom_id: str,
        fields: Mapping[str, str | list[str]],
        *,
        message: StoredMessage | None = None,
    ) -> int:
        """A member submits a modal the bot opened (see `rest.interaction_responses`, type 9)."""
        body = interactions.modal_submit(self.world, self.app_id, user, channel_id, custom_id, fields, message)
        return self._dispatch_interaction(body)

    def _dispatch_interaction(self, body: dict[str, Any], *, age: float = 0.0) -> int:
        self.rest.interactions_created[int(body["id"])] = time.monotonic() - age
        self.rest.interaction_channels[int(body["id"])] = int(body["channel_id"])
        for session in self.live_sessions():
            session.dispatch("INTERACTION_CREATE", body)
        return int(body["id"])

    async def wait_for(self, condition: Callable[[], object], *, timeout: float = 5.0) -> None:
        """Poll until `condition()` is truthy; fail the test with a clear message on timeout."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout}s")
            await asyncio.sleep(0.01)
