"""/metrics in Prometheus format: the core's figures (through the Metrics port), the desk's own counters, and gauges
read at each scrape (incidents and outbox from the database, each platform's sync lag from its adapter)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

Gauges = Callable[[], tuple[dict[str, int], dict[tuple[str, str], int]]]
SyncLags = Mapping[str, Callable[[], float | None]]
# Judging is text work of microseconds to a model's tens of milliseconds; a slow one is worth seeing.
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class CoreMetrics:
    """Implements moderation.ports.Metrics. One registry per process (no process-wide default registry): the
    composition root builds it before the core, and the desk serves it."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._judged = Counter(
            "schoolwacht_messages_judged",
            "Messages judged, by platform and verdict (clean or the category)",
            ["platform", "verdict"],
            registry=self.registry,
        )
        self._latency = Histogram(
            "schoolwacht_judgement_seconds",
            "Time to judge one message, by the tiers that judged it",
            ["tier"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._actions = Counter(
            "schoolwacht_actions",
            "Owed actions finished, by platform, action and outcome (done or failed)",
            ["platform", "action", "outcome"],
            registry=self.registry,
        )

    def judged(self, platform: str, verdict: str, tier: str, seconds: float) -> None:
        self._judged.labels(platform, verdict).inc()
        self._latency.labels(tier).observe(seconds)

    def acted(self, platform: str, action: str, ok: bool) -> None:
        self._actions.labels(platform, action, "done" if ok else "failed").inc()


class _ReadAtScrape(Collector):
    def __init__(self, read: Gauges, lags: SyncLags) -> None:
        self._read = read
        self._lags = lags

    def collect(self) -> Iterator[Metric]:
        by_status, actions = self._read()
        incidents = GaugeMetricFamily("schoolwacht_incidents", "Incidents by status", labels=["status"])
        for status, n in sorted(by_status.items()):
            incidents.add_metric([status], n)
        yield incidents
        outbox = GaugeMetricFamily(
            "schoolwacht_outbox_actions", "Owed actions by platform and status", labels=["platform", "status"]
        )
        for (platform, status), n in sorted(actions.items()):
            outbox.add_metric([platform, status], n)
        yield outbox
        lag = GaugeMetricFamily(
            "schoolwacht_sync_lag_seconds",
            "How far behind its server each platform may be (Matrix: since the last /sync answer; "
            "Discord: the gateway's heartbeat round trip)",
            labels=["platform"],
        )
        for platform, read_lag in sorted(self._lags.items()):
            seconds = read_lag()
            if seconds is not None:
                lag.add_metric([platform], seconds)
        yield lag


class DeskMetrics:
    """The desk's counters and the scrape-time gauges (a registry of this app's own, so that a second app over the
    same core registers nothing twice), served together with the core's figures."""

    def __init__(self, gauges: Gauges, core: CoreMetrics | None = None, lags: SyncLags | None = None) -> None:
        self.core = core or CoreMetrics()
        self.registry = CollectorRegistry()
        self.registry.register(_ReadAtScrape(gauges, dict(lags or {})))
        self.logins = Counter(
            "schoolwacht_desk_logins", "Sign-in attempts on the desk", ["outcome"], registry=self.registry
        )
        self.actions = Counter(
            "schoolwacht_desk_actions", "Review actions on the desk", ["action", "result"], registry=self.registry
        )

    def render(self) -> bytes:
        return generate_latest(self.core.registry) + generate_latest(self.registry)
