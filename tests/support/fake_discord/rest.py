"""The fake REST API (v10): the endpoints the bot uses, each a thin shell around a `World` operation.

Responses carry `Content-Type: application/json` exactly (discord.py parses JSON only then) and errors use Discord's
body `{"code", "message"}`. Every request is recorded (method, path, headers, body) so tests can look at, e.g., the
`X-Audit-Log-Reason` header. Faults (429s, 5xx, any status) can be queued per route with `Faults.add`.

As on Discord (docs/topics/Rate_Limits.md "Invalid Request Limit"): an IP that makes `invalid_limit` requests answered
401, 403 or 429 within `invalid_window` seconds is banned for a while: every request then gets a plain 429 without
`Via` (Cloudflare's, which discord.py does not retry). Interactions (docs/interactions/Receiving_and_Responding.md):
one initial response, within 3 s of the interaction (later: 404 10062 "Unknown interaction"; a second one: 400 40060
"Interaction has already been acknowledged"); follow-ups need that initial response, and the first follow-up after a
deferred ("thinking…") response edits that message.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from tests.support.fake_discord import payloads
from tests.support.fake_discord.components import check_components
from tests.support.fake_discord.embeds import check_embeds
from tests.support.fake_discord.faults import Buckets, Faults, RecordedRequest
from tests.support.fake_discord.state import DM, DiscordError, DmOpenedTooFast, User, World

INTERACTION_DEADLINE = 3.0  # seconds to answer an interaction
DEFERRED_CHANNEL_MESSAGE = 5

Handler = Callable[[web.Request, User], Awaitable[Any]]


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    headers = {"Content-Type": "application/json", **(headers or {})}
    return web.Response(status=status, body=json.dumps(data).encode(), headers=headers)


def error_response(error: DiscordError) -> web.Response:
    return json_response({"code": error.code, "message": error.message}, status=error.status)


class RestApi:
    def __init__(self, world: World, *, app_id: int) -> None:
        self.world = world
        self.app_id = app_id
        self.requests: list[RecordedRequest] = []
        self.faults = Faults()
        self.buckets = Buckets()
        self.commands: list[dict[str, Any]] = []
        self.interaction_responses: dict[int, dict[str, Any]] = {}
        # Follow-up messages of an interaction (after a deferred "thinking" answer), by interaction id.
        self.interaction_followups: dict[int, list[dict[str, Any]]] = {}
        # When each interaction was made (time.monotonic()), and the "thinking…" messages a follow-up edited.
        self.interactions_created: dict[int, float] = {}
        self.interaction_originals: dict[int, dict[str, Any]] = {}
        self.interaction_channels: dict[int, int] = {}
        self.refused_responses: list[tuple[int, int]] = []  # (interaction id, Discord error code)
        self.invalid_limit, self.invalid_window = 10_000, 600.0
        self._invalid: list[float] = []
        self.gateway_url = ""

    def routes(self) -> list[tuple[str, str, Handler]]:
        c, m = "/api/v10/channels/{channel_id}", "/messages/{message_id}"
        return [
            ("GET", "/api/v10/users/@me", self.me),
            ("GET", "/api/v10/applications/@me", self.application),
            ("GET", "/api/v10/oauth2/applications/@me", self.application),
            ("GET", "/api/v10/gateway", self.gateway),
            ("GET", "/api/v10/gateway/bot", self.gateway),
            ("GET", c, self.get_channel),
            ("PATCH", c, self.edit_channel),
            ("GET", c + "/messages", self.list_messages),
            ("POST", c + "/messages", self.create_message),
            ("POST", c + m + "/crosspost", self.crosspost),
            ("GET", c + m, self.get_message),
            ("PATCH", c + m, self.edit_message),
            ("DELETE", c + m, self.delete_message),
            ("POST", c + "/messages/bulk-delete", self.bulk_delete),
            ("PUT", c + "/permissions/{target_id}", self.put_overwrite),
            ("DELETE", c + "/permissions/{target_id}", self.delete_overwrite),
            ("POST", "/api/v10/users/@me/channels", self.open_dm),
            ("GET", "/api/v10/users/{user_id}", self.get_user),
            ("GET", "/api/v10/guilds/{guild_id}/audit-logs", self.audit_log),
            ("GET", "/api/v10/guilds/{guild_id}/members/{user_id}", self.get_member),
            ("PATCH", "/api/v10/guilds/{guild_id}/members/{user_id}", self.edit_member),
            ("PUT", "/api/v10/applications/{app_id}/guilds/{guild_id}/commands", self.put_commands),
            ("PUT", "/api/v10/applications/{app_id}/commands", self.put_commands),
            ("GET", "/api/v10/applications/{app_id}/guilds/{guild_id}/commands", self.get_commands),
            ("POST", "/api/v10/interactions/{interaction_id}/{token}/callback", self.interaction_callback),
            ("POST", "/api/v10/webhooks/{app_id}/{token}", self.interaction_followup),
        ]

    def wrap(self, handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        """Authenticate, record, apply queued faults, run the handler and map `DiscordError` to Discord's format."""

        async def run(request: web.Request) -> web.StreamResponse:
            body: Any = None
            if request.can_read_body:
                raw = await request.read()
                if request.content_type == "application/json":
                    body = json.loads(raw)
            self.requests.append(RecordedRequest(request.method, request.path, dict(request.headers), body))
            now = time.monotonic()
            self._invalid = [t for t in self._invalid if now - t < self.invalid_window]
            if len(self._invalid) >= self.invalid_limit:
                return web.Response(status=429, text="error code: 1015", content_type="text/plain")
            response = await self._faulted_or_answered(request, handler)
            if response.status in (401, 403, 429) and response.headers.get("X-RateLimit-Scope") != "shared":
                self._invalid.append(now)
            return response

        return run

    async def _faulted_or_answered(self, request: web.Request, handler: Handler) -> web.Response:
        fault = self.faults.take(request.method, request.path)
        if fault is not None:
            return web.Response(
                status=fault.status,
                body=json.dumps(fault.body).encode(),
                headers={"Content-Type": "application/json", **fault.headers},
            )
        wait = self.buckets.admit_globally(request.path)
        if wait is not None:  # discord.py then holds every request back for `retry_after`
            body = {"message": "You are being rate limited.", "retry_after": wait, "global": True}
            headers = {"X-RateLimit-Global": "true", "X-RateLimit-Scope": "global", "Via": "1.1 google"}
            return json_response(body, status=429, headers={**headers, "Retry-After": f"{wait:.3f}"})
        admitted, limits = self.buckets.admit(request.method, request.path)
        if not admitted:
            retry_after = float(limits["X-RateLimit-Reset-After"])
            body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": False}
            return json_response(body, status=429, headers={**limits, "Via": "1.1 google"})
        response = await self._answer(request, handler)
        response.headers.update(limits)
        return response

    async def _answer(self, request: web.Request, handler: Handler) -> web.Response:
        auth = request.headers.get("Authorization", "")
        user = self.world.user_for_token(auth.removeprefix("Bot ")) if auth.startswith("Bot ") else None
        # Interaction answers and follow-ups are authorised by the interaction's token in the path, not the bot's.
        if user is None and "/interactions/" not in request.path and "/webhooks/" not in request.path:
            return json_response({"code": 0, "message": "401: Unauthorized"}, status=401)
        try:
            result = await handler(request, user)  # type: ignore[arg-type]
        except DmOpenedTooFast as error:
            body = {"code": error.code, "message": error.message, "retry_after": error.retry_after, "global": False}
            headers = {"Retry-After": f"{error.retry_after:.3f}", "X-RateLimit-Scope": "user", "Via": "1.1 google"}
            return json_response(body, status=429, headers=headers)
        except DiscordError as error:
            return error_response(error)
        if result is None:
            return web.Response(status=204)
        return json_response(result)

    # ---- handlers ----

    async def me(self, request: web.Request, user: User) -> Any:
        return payloads.user(user)

    async def application(self, request: web.Request, user: User) -> Any:
        owner = self.world.users.get(self.world.owner_id, user)
        return {
            "id": str(self.app_id),
            "name": user.username,
            "description": "",
            "icon": None,
            "bot_public": False,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "owner": payloads.user(owner),
            "flags": 0,
            "bot": payloads.user(user),
        }

    async def gateway(self, request: web.Request, user: User) -> Any:
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return {"url": self.gateway_url, "shards": 1, "session_start_limit": limit}

    async def get_channel(self, request: web.Request, user: User) -> Any:
        channel = self.world.channel(_id(request, "channel_id"))
        return payloads.channel(self.world, channel)

    async def create_message(self, request: web.Request, user: User) -> Any:
        body = await _json(request)
        channel_id = _id(request, "channel_id")
        content = str(body.get("content") or "")
        components = list(body.get("components") or [])
        check_components(components)
        embeds = list(body.get("embeds") or [])
        check_embeds(embeds)
        nonce = str(body["nonce"]) if body.get("nonce") is not None and body.get("enforce_nonce") else None
        send = self.world.send_dm if self.world.channel(channel_id).type == DM else self.world.create_message
        message = send(user.id, channel_id, content, components=components, embeds=embeds, nonce=nonce)
        return payloads.message(self.world, message)

    async def edit_channel(self, request: web.Request, user: User) -> Any:
        """Renaming a thread: Manage Threads, or being its creator (docs/topics/Threads.md)."""
        body = await _json(request)
        channel = self.world.rename_thread(user.id, _id(request, "channel_id"), str(body.get("name") or ""))
        return payloads.channel(self.world, channel)

    async def list_messages(self, request: web.Request, user: User) -> Any:
        """docs/resources/Channel.md "Get Channel Messages": `after` or `before`, `limit` 1-100 (50 by default)."""
        try:
            limit = min(max(int(request.query.get("limit", "50")), 1), 100)
            after = request.query.get("after")
            before = request.query.get("before")
            channel_id = _id(request, "channel_id")
            if after is not None:
                found = self.world.messages_after(user.id, channel_id, int(after), limit)
            else:
                found = self.world.messages_before(user.id, channel_id, int(before) if before else None, limit)
        except ValueError:
            raise DiscordError(400, 50035, "Invalid Form Body") from None
        return [payloads.message(self.world, m) for m in found]

    async def crosspost(self, request: web.Request, user: User) -> Any:
        ids = _id(request, "channel_id"), _id(request, "message_id")
        self.world.crosspost(user.id, *ids)
        return payloads.message(self.world, self.world.message(*ids))

    async def get_message(self, request: web.Request, user: User) -> Any:
        self.world._require(user.id, _id(request, "channel_id"), 1 << 16)
        message = self.world.message(_id(request, "channel_id"), _id(request, "message_id"))
        return payloads.message(self.world, message)

    async def edit_message(self, request: web.Request, user: User) -> Any:
        body = await _json(request)
        ids = _id(request, "channel_id"), _id(request, "message_id")
        components = body.get("components")  # None: unchanged; []: the buttons are removed
        if components is not None:
            check_components(list(components))
        embeds = body.get("embeds")  # None: unchanged; []: removed
        if embeds is not None:
            check_embeds(list(embeds))
        content = str(body.get("content") or "")
        message = self.world.edit_message(user.id, *ids, content, components=components, embeds=embeds)
        return payloads.message(self.world, message)

    async def delete_message(self, request: web.Request, user: User) -> Any:
        ids = _id(request, "channel_id"), _id(request, "message_id")
        self.world.delete_message(user.id, *ids, reason=_reason(request))

    async def bulk_delete(self, request: web.Request, user: User) -> Any:
        body = await _json(request)
        ids = [int(i) for i in body.get("messages", [])]
        self.world.bulk_delete(user.id, _id(request, "channel_id"), ids, reason=_reason(request))

    async def put_overwrite(self, request: web.Request, user: User) -> Any:
        body = await _json(request)
        self.world.put_overwrite(
            user.id,
            _id(request, "channel_id"),
            _id(request, "target_id"),
            int(body.get("type", 0)),
            int(body.get("allow", 0)),
            int(body.get("deny", 0)),
            reason=_reason(request),
        )

    async def delete_overwrite(self, request: web.Request, user: User) -> Any:
        ids = _id(request, "channel_id"), _id(request, "target_id")
        self.world.delete_overwrite(user.id, *ids, reason=_reason(request))

    async def get_user(self, request: web.Request, user: User) -> Any:
        found = self.world.users.get(_id(request, "user_id"))
        if found is None:
            raise DiscordError(404, 10013, "Unknown User")
        return payloads.user(found)

    async def open_dm(self, request: web.Request, user: User) -> Any:
        body = await _json(request)
        channel = self.world.open_dm(user.id, int(body.get("recipient_id", 0)))
        return payloads.channel(self.world, channel)

    async def audit_log(self, request: web.Request, user: User) -> Any:
        action = request.query.get("action_type")
        limit = int(request.query.get("limit", "50"))
        entries = self.world.read_audit_log(user.id, action_type=int(action) if action else None, limit=limit)
        users = {e.user_id for e in entries} | {e.target_id for e in entries}
        return {
            "audit_log_entries": [payloads.audit_entry(e) for e in entries],
            "users": [payloads.user(self.world.users[u]) for u in users if u in self.world.users],
            "webhooks": [],
            "threads": [],
            "integrations": [],
            "application_commands": [],
            "guild_scheduled_events": [],
            "auto_moderation_rules": [],
        }

    async def get_member(self, request: web.Request, user: User) -> Any:
        member = self.world.members.get(_id(request, "user_id"))
        if member is None:
            raise DiscordError(404, 10007, "Unknown Member")
        return payloads.member(self.world, member)

    async def edit_member(self, request: web.Request, user: User) -> Any:
        body = await _json(request)
        until = body.get("communication_disabled_until")
        moment = datetime.fromisoformat(until) if until else None
        member = self.world.timeout_member(user.id, _id(request, "user_id"), moment, reason=_reason(request))
        return payloads.member(self.world, member)

    async def put_commands(self, request: web.Request, user: User) -> Any:
        body: Any = await _json(request)  # a list of commands
        guild_id = request.match_info.get("guild_id")
        # Discord fills in what a client may leave out (a context-menu command has an empty description).
        defaults: dict[str, Any] = {"description": "", "options": [], "default_member_permissions": None, "nsfw": False}
        self.commands = [
            defaults | cmd | {"id": str(self.world.snowflake()), "application_id": str(self.app_id), "version": "1"}
            for cmd in body
        ]
        if guild_id:
            self.commands = [cmd | {"guild_id": guild_id} for cmd in self.commands]
        return self.commands

    async def get_commands(self, request: web.Request, user: User) -> Any:
        return self.commands

    async def interaction_callback(self, request: web.Request, user: User | None) -> Any:
        interaction_id = _id(request, "interaction_id")
        body = await _json(request)
        created = self.interactions_created.get(interaction_id)
        if created is None or time.monotonic() - created > INTERACTION_DEADLINE:
            self.refused_responses.append((interaction_id, 10062))
            raise DiscordError(404, 10062, "Unknown interaction")
        if interaction_id in self.interaction_responses:
            self.refused_responses.append((interaction_id, 40060))
            raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
        self.interaction_responses[interaction_id] = body
        data = body.get("data") or {}
        flags = int(data.get("flags", 0))
        return {
            "interaction": {
                "id": str(interaction_id),
                "type": 2,
                "response_message_ephemeral": bool(flags & 64),
                "response_message_loading": body.get("type") == 5,
            }
        }

    async def interaction_followup(self, request: web.Request, user: User | None) -> Any:
        """A follow-up message to an interaction (`interaction.followup.send`). discord.py always waits for the
        message on an application's webhook, and Discord returns it. The token names the interaction."""
        token = request.match_info["token"]
        interaction_id = int(token.removeprefix("interaction-token-")) if token.startswith("interaction-token-") else 0
        if interaction_id not in self.interaction_responses:
            raise DiscordError(404, 10015, "Unknown Webhook")
        body = await _json(request)
        deferred = self.interaction_responses[interaction_id].get("type") == DEFERRED_CHANNEL_MESSAGE
        if deferred and interaction_id not in self.interaction_originals:
            self.interaction_originals[interaction_id] = body  # the "thinking…" message becomes this answer
        self.interaction_followups.setdefault(interaction_id, []).append(body)
        bot = self.world.users.get(self.app_id) or next(u for u in self.world.users.values() if u.bot)
        return {
            "id": str(self.world.snowflake()),
            "channel_id": str(self.interaction_channels.get(interaction_id, 0)),
            "author": payloads.user(bot),
            "content": str(body.get("content") or ""),
            "timestamp": payloads.iso(datetime.now().astimezone()),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "type": 0,
            "flags": int(body.get("flags", 0) or 0),
            "components": [],
            "webhook_id": str(self.app_id),
        }


def _id(request: web.Request, name: str) -> int:
    try:
        return int(request.match_info[name])
    except ValueError:
        raise DiscordError(404, 10003 if "channel" in name else 10008, f"Unknown {name}") from None


def _reason(request: web.Request) -> str | None:
    reason = request.headers.get("X-Audit-Log-Reason")
    return unquote(reason) if reason is not None else None


async def _json(request: web.Request) -> dict[str, Any]:
    # The bot never uploads files, so multipart bodies are not modelled.
    try:
        body = await request.json()
    except ValueError:
        raise DiscordError(400, 50109, "The request body contains invalid JSON.") from None
    return body if isinstance(body, dict | list) else {}  # type: ignore[return-value]
