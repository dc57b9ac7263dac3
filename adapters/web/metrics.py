"""/metrics in Prometheus format: the desk's own counters, and gauges read from the database at each scrape."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

Gauges = Callable[[], tuple[dict[str, int], dict[tuple[str, str], int]]]


class _DatabaseGauges(Collector):
    def __init__(self, read: Gauges) -> None:
        self._read = read

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


class DeskMetrics:
    """One registry per app (no process-wide default registry): the bot may register its own metrics here too."""

    def __init__(self, gauges: Gauges) -> None:
        self.registry = CollectorRegistry()
        self.registry.register(_DatabaseGauges(gauges))
        self.logins = Counter(
            "schoolwacht_desk_logins", "Sign-in attempts on the desk", ["outcome"], registry=self.registry
        )
        self.actions = Counter(
            "schoolwacht_desk_actions", "Review actions on the desk", ["action", "result"], registry=self.registry
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
