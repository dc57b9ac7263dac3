"""Recording requests and answering some of them with faults (429s like Discord's, 5xx, any status)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any

    @property
    def audit_reason(self) -> str | None:
        reason = self.headers.get("X-Audit-Log-Reason")
        return unquote(reason) if reason is not None else None


@dataclass
class Fault:
    """Answer the next `times` requests matching method + path regex with this status instead of handling them."""

    method: str
    path: re.Pattern[str]
    status: int
    body: dict[str, Any]
    headers: dict[str, str]
    times: int = 1


@dataclass
class Faults:
    queued: list[Fault] = field(default_factory=list)

    def add(self, method: str, path_regex: str, status: int, *, times: int = 1, **body: Any) -> None:
        payload = body or {"code": 0, "message": "fault"}
        self.queued.append(Fault(method, re.compile(path_regex), status, payload, {}, times))

    def rate_limit(
        self,
        method: str,
        path_regex: str,
        *,
        retry_after: float = 0.05,
        is_global: bool = False,
        via: bool = True,
        shared: bool = False,
        times: int = 1,
    ) -> None:
        """A 429 like Discord's (docs/topics/Rate_Limits.md); without `via` it looks like a Cloudflare ban, which
        discord.py does not retry. `shared`: a limit shared by everyone using the resource (scope "shared"), which
        can ask for a very long wait (e.g. 1337 s) and does not count against the bot."""
        body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": is_global}
        scope = "global" if is_global else "shared" if shared else "user"
        headers = {"Retry-After": str(retry_after), "X-RateLimit-Scope": scope}
        if via:
            headers["Via"] = "1.1 google"
        self.queued.append(Fault(method, re.compile(path_regex), 429, body, headers, times))

    def take(self, method: str, path: str) -> Fault | None:
        for fault in self.queued:
            if fault.method == method and fault.path.search(path):
                fault.times -= 1
                if fault.times <= 0:
                    self.queued.remove(fault)
                return fault
        return None


@dataclass
class Bucket:
    """A Discord rate-limit bucket: `limit` requests per `per` seconds on the matching routes. Every answer carries
    the X-RateLimit-* headers discord.py reads, so its limiter waits before a 429 is needed; a request over the
    limit still gets a 429 (with `Via`), as on Discord."""

    name: str
    method: str
    path: re.Pattern[str]
    limit: int
    per: float
    remaining: int = 0
    resets_at: float = 0.0
    refused: int = 0  # how many requests got a 429

    def admit(self, now: float) -> tuple[bool, dict[str, str]]:
        if now >= self.resets_at:
            self.remaining, self.resets_at = self.limit, now + self.per
        allowed = self.remaining > 0
        if allowed:
            self.remaining -= 1
        else:
            self.refused += 1
        reset_after = max(self.resets_at - now, 0.0)
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Bucket": self.name,
        }
        return allowed, headers


@dataclass
class Buckets:
    active: list[Bucket] = field(default_factory=list)
    # Discord's global limit (docs/topics/Rate_Limits.md "Global Rate Limit": 50 requests per second per bot, the
    # interaction endpoints aside); off unless a test or benchmark sets it with `limit_globally`.
    overall: Bucket | None = None

    def add(self, method: str, path_regex: str, *, limit: int, per: float) -> Bucket:
        bucket = Bucket(f"bucket-{len(self.active)}", method, re.compile(path_regex), limit, per)
        self.active.append(bucket)
        return bucket

    def limit_globally(self, limit: int = 50, per: float = 1.0) -> Bucket:
        self.overall = Bucket("global", "*", re.compile("."), limit, per)
        return self.overall

    def admit_globally(self, path: str) -> float | None:
        """None when the request may go; else how long the bot must wait (a global 429)."""
        if self.overall is None or "/interactions/" in path or "/webhooks/" in path:
            return None
        allowed, headers = self.overall.admit(time.monotonic())
        return None if allowed else float(headers["X-RateLimit-Reset-After"])

    def admit(self, method: str, path: str) -> tuple[bool, dict[str, str]]:
        for bucket in self.active:
            if bucket.method == method and bucket.path.search(path):
                return bucket.admit(time.monotonic())
        return True, {}
