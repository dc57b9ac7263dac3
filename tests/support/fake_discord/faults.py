"""Recording requests and answering some of them with faults (429s like Discord's, 5xx, any status)."""

from __future__ import annotations

import re
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
        self, method: str, path_regex: str, *, retry_after: float = 0.05, is_global: bool = False, via: bool = True
    ) -> None:
        """A 429 like Discord's; without `via` it looks like a Cloudflare ban, which discord.py does not retry."""
        body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": is_global}
        headers = {"Retry-After": str(retry_after), "X-RateLimit-Scope": "global" if is_global else "user"}
        if via:
            headers["Via"] = "1.1 google"
        self.queued.append(Fault(method, re.compile(path_regex), 429, body, headers))

    def take(self, method: str, path: str) -> Fault | None:
        for fault in self.queued:
            if fault.method == method and fault.path.search(path):
                fault.times -= 1
                if fault.times <= 0:
                    self.queued.remove(fault)
                return fault
        return None
