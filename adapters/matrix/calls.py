"""One Matrix API call with the adapter's own retries: transport errors and 5xx answers are tried again with
backoff; rate limits (M_LIMIT_EXCEEDED) are already waited out by nio after the server's `retry_after_ms`
(bounded by `AsyncClientConfig.max_limit_exceeded`). Whatever still fails raises MatrixCallFailed, so the
pipeline records it on the incident instead of it being dropped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiohttp import ClientError
from nio import ErrorResponse

log = logging.getLogger(__name__)

R = TypeVar("R")


class MatrixCallFailed(RuntimeError):
    def __init__(self, what: str, detail: str, errcode: str | None = None) -> None:
        super().__init__(f"{what}: {detail}")
        self.errcode = errcode


def _retriable(response: ErrorResponse) -> bool:
    transport = response.transport_response
    status = getattr(transport, "status", None)
    return status is None or int(status) >= 500


async def call(
    what: str,
    operation: Callable[[], Awaitable[R]],
    *,
    attempts: int = 4,
    base_delay: float = 0.5,
    max_delay: float = 30.0,
) -> R:
    """Run `operation` (a nio client call) until it answers with a non-error response; raise when it cannot."""
    detail = "not tried"
    for attempt in range(1, attempts + 1):
        try:
            response = await operation()
        except (ClientError, TimeoutError, OSError) as exc:
            detail = f"{type(exc).__name__}: {exc}"
        else:
            if not isinstance(response, ErrorResponse):
                return response
            detail = f"{response.status_code or 'error'}: {response.message}"
            if not _retriable(response):
                raise MatrixCallFailed(what, detail, response.status_code)
        if attempt < attempts:
            delay = min(max_delay, base_delay * 2 ** (attempt - 1))
            log.warning(
                "matrix: %s failed (%s), attempt %d/%d, retrying in %.1fs", what, detail, attempt, attempts, delay
            )
            await asyncio.sleep(delay)
    raise MatrixCallFailed(what, f"gave up after {attempts} attempts: {detail}")
