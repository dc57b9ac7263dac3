"""The nio client's set-up and upkeep: creating it, logging in (token or password, device kept in the store
folder), and end-to-end key maintenance between syncs (sending into a room is room_sends.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from aiohttp import ClientError, ClientResponse
from nio import AsyncClient, AsyncClientConfig, LoginResponse, SyncResponse, WhoamiResponse

from adapters.base import AdapterStartError
from adapters.matrix.config import MatrixConfig, MatrixSecrets

log = logging.getLogger(__name__)


class MatrixLoginError(AdapterStartError):
    """The homeserver refused the bot's login (a wrong token or password, an unknown user)."""


class ClientClosed(RuntimeError):
    """A call on the Matrix client after the adapter closed it."""


class MatrixClient(AsyncClient):  # type: ignore[misc]  # nio has no type information
    """nio's client, except that once closed it stays closed. nio opens a new HTTP session for any call made after
    `close()` (a notice a delivery worker still had in hand when a test stopped the adapter, or nio's own retry of
    a request the close cut off), and nothing would ever close that one: it is garbage-collected later, during
    whatever runs then. Here such a call fails at once, and the session nio opened for it is closed."""

    closed = False

    async def close(self) -> None:
        self.closed = True
        await super().close()

    async def send(self, *args: Any, **kwargs: Any) -> ClientResponse:
        if self.closed:
            if self.client_session is not None:
                await self.client_session.close()
            raise ClientClosed("the Matrix client is closed (the adapter stopped)")
        response: ClientResponse = await super().send(*args, **kwargs)
        return response

    def _handle_olm_events(self, response: SyncResponse) -> None:
        """nio's handling of a sync's changed device lists, except for the bot's own. Synapse lists the bot's own
        user as changed in nearly every sync, and nio would then ask for the bot's own devices each time: a round
        trip before the next sync, in the way of the next redaction. They are known from the first query; a session
        of the bot account opened later (someone logged in as the bot) is better off without the room keys of cards
        and notices anyway."""
        super()._handle_olm_events(response)
        if self.olm is not None and self.user_id in self.olm.tracked_users:
            self.olm.users_for_key_query.discard(self.user_id)


def make_client(config: MatrixConfig) -> MatrixClient:
    config.store_dir.mkdir(parents=True, exist_ok=True)
    return MatrixClient(
        config.homeserver,
        config.user_id,
        store_path=str(config.store_dir),
        config=AsyncClientConfig(
            store_sync_tokens=False,  # the adapter persists the token itself, after the batch is handled
            encryption_enabled=True,
            max_limit_exceeded=config.rate_limit_retries,  # nio waits retry_after_ms on M_LIMIT_EXCEEDED
            max_timeouts=1,  # transport errors surface quickly; the adapter retries with its own backoff
            max_timeout_retry_wait_time=config.max_backoff_s,
            request_timeout=60,
        ),
    )


async def login(client: AsyncClient, config: MatrixConfig, secrets: MatrixSecrets) -> None:
    """Log in, waiting with a growing pause while the homeserver cannot be reached (down, or its name unknown)."""
    delay = 1.0
    while True:
        try:
            return await _login_once(client, config, secrets)
        except (ClientError, TimeoutError, OSError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            log.warning(
                "matrix: cannot reach the homeserver %s ([matrix] homeserver): %s; retrying in %.0fs",
                config.homeserver,
                reason,
                delay,
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, config.max_backoff_s)


async def _login_once(client: AsyncClient, config: MatrixConfig, secrets: MatrixSecrets) -> None:
    """Log in with the access token (preferred) or the password, keeping one device across restarts."""
    device_file = config.store_dir / "device.json"
    saved = json.loads(device_file.read_text()) if device_file.exists() else {}
    if secrets.access_token:
        client.access_token = secrets.access_token
        who = await client.whoami()
        if not isinstance(who, WhoamiResponse) or not who.device_id:
            raise MatrixLoginError(f"access token rejected for {config.user_id}: {who}")
        if who.user_id != config.user_id:
            raise MatrixLoginError(f"the access token belongs to {who.user_id}, not {config.user_id}")
        client.restore_login(who.user_id, who.device_id, secrets.access_token)
    elif secrets.password:
        if isinstance(saved.get("device_id"), str):
            client.device_id = saved["device_id"]  # log in again as the same device: same keys, same store
        response = await client.login(secrets.password, device_name=config.device_name)
        if not isinstance(response, LoginResponse):
            raise MatrixLoginError(f"password login failed for {config.user_id}: {response}")
    else:
        raise MatrixLoginError("no access token or password given")
    device_file.write_text(json.dumps({"user_id": client.user_id, "device_id": client.device_id}))
    log.info("matrix: logged in as %s, device %s", client.user_id, client.device_id)


async def crypto_housekeeping(client: AsyncClient) -> None:
    """What nio's sync_forever does between syncs: upload/query/claim keys, send queued to-device messages."""
    if client.olm is None:
        return
    try:
        if client.should_upload_keys:
            await client.keys_upload()
        if client.should_query_keys:
            await client.keys_query()
        if client.should_claim_keys:
            await client.keys_claim(client.get_users_for_key_claiming())
        await client.send_to_device_messages()
    except (ClientError, TimeoutError, OSError) as exc:
        log.warning("matrix: key maintenance failed (%s); trying again after the next sync", exc)
