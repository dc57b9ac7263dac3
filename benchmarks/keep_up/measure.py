"""Measuring: a watcher sees every redaction (who redacted what, when, by the server's clock); per step, send →
redaction percentiles and whether every abusive message was redacted exactly once and nothing else."""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from benchmarks.keep_up.load import Http, Sent

WATCH_FILTER = json.dumps(
    {
        "presence": {"types": []},
        "account_data": {"types": []},
        "room": {
            "timeline": {"types": ["m.room.redaction"], "limit": 1000},
            "state": {"types": []},
            "ephemeral": {"types": []},
            "account_data": {"types": []},
        },
    }
)


@dataclass
class Redactions:
    """Every redaction the watcher saw: target event id -> [(sender, server timestamp ms)]."""

    seen: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


async def watch(http: Http, token: str, found: Redactions) -> None:
    since = (await http.call(token, "GET", f"/_matrix/client/v3/sync?timeout=0&filter={quote(WATCH_FILTER)}"))[
        "next_batch"
    ]
    while True:
        path = f"/_matrix/client/v3/sync?timeout=30000&since={quote(since)}&filter={quote(WATCH_FILTER)}"
        sync = await http.call(token, "GET", path)
        since = sync["next_batch"]
        for room in sync.get("rooms", {}).get("join", {}).values():
            for event in room.get("timeline", {}).get("events", []):
                if event.get("type") == "m.room.redaction":
                    target = event.get("redacts") or event.get("content", {}).get("redacts")
                    found.seen.setdefault(str(target), []).append((event["sender"], int(event["origin_server_ts"])))


async def settle(found: Redactions, sent: Sequence[Sent], timeout: float) -> None:
    """Wait until every abusive message of the step was redacted (or `timeout` seconds passed)."""
    deadline = time.monotonic() + timeout
    while any(s.abusive and s.event_id not in found.seen for s in sent) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)


def figures(found: Redactions, sent: Sequence[Sent], bot: str) -> dict[str, Any]:
    latencies = sorted(found.seen[s.event_id][0][1] - s.at_ms for s in sent if s.abusive and s.event_id in found.seen)
    abusive = [s for s in sent if s.abusive]
    by_bot = [sum(1 for sender, _ts in found.seen.get(s.event_id, []) if sender == bot) for s in abusive]
    wrong = sum(1 for s in sent if not s.abusive and s.event_id in found.seen)

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else float("nan")

    return {
        "n": len(abusive),
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p90": pct(0.9),
        "p99": pct(0.99),
        "once": sum(1 for c in by_bot if c == 1),
        "missing": sum(1 for c in by_bot if c == 0),
        "twice": sum(1 for c in by_bot if c > 1),
        "wrong": wrong,
        "send": statistics.median(s.send_ms for s in sent) if sent else float("nan"),
        # From the moment the homeserver answered the send: what is left when the homeserver itself is slow.
        "after_accept": statistics.median(
            found.seen[s.event_id][0][1] - s.at_ms - s.send_ms for s in sent if s.abusive and s.event_id in found.seen
        )
        if latencies
        else float("nan"),
    }
