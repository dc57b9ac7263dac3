"""The desk's protections: the signed session cookie, CSRF tokens, the login rate limit and the client's address
behind the school's reverse proxy."""

from __future__ import annotations

import hmac
import time
from collections import deque
from collections.abc import Callable

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import Request

COOKIE = "schoolwacht_desk"


class CookieSigner:
    """The cookie carries the session token, signed: a tampered cookie is refused before the database is asked."""

    def __init__(self, secret: bytes) -> None:
        self._serializer = URLSafeSerializer(secret, salt="schoolwacht-desk-session")

    def sign(self, token: str) -> str:
        return self._serializer.dumps(token)

    def unsign(self, value: str) -> str | None:
        if not value or len(value) > 300:
            return None
        try:
            token = self._serializer.loads(value)
        except BadSignature:
            return None
        return token if isinstance(token, str) else None


def csrf_ok(expected: str, given: object) -> bool:
    return isinstance(given, str) and bool(given) and hmac.compare_digest(expected.encode(), given.encode())


class RateLimit:
    """At most `per_minute` attempts per client address in any 60 seconds (in this process)."""

    def __init__(self, per_minute: int, now: Callable[[], float] = time.monotonic) -> None:
        self._per_minute = per_minute
        self._now = now
        self._seen: dict[str, deque[float]] = {}

    def allow(self, client: str) -> bool:
        now = self._now()
        times = self._seen.setdefault(client, deque())
        while times and now - times[0] > 60:
            times.popleft()
        if len(self._seen) > 10_000:  # many addresses: forget the quiet ones
            for key in [k for k, v in self._seen.items() if not v]:
                del self._seen[key]
        if len(times) >= self._per_minute:
            return False
        times.append(now)
        return True


def client_address(request: Request, trusted_proxies: frozenset[str]) -> str:
    """The browser's address: X-Forwarded-For's last hop before our proxy, believed only from a trusted proxy."""
    peer = request.client.host if request.client else ""
    forwarded = request.headers.get("x-forwarded-for", "")
    if peer in trusted_proxies and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        for hop in reversed(hops):
            if hop not in trusted_proxies:
                return hop[:64]
    return peer
