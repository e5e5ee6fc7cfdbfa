"""Prometheus metrics, one registry per runtime (no process-global collectors)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest


class Metrics:
    """Counters and gauges exposed at `/metrics`."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.updates_handled = Counter(
            "gonggam_updates_handled", "Telegram updates handled", ["kind"],
            registry=self.registry,
        )
        self.duplicate_updates = Counter(
            "gonggam_duplicate_updates", "Updates ignored because they were seen before",
            registry=self.registry,
        )
        self.outbox_sent = Counter(
            "gonggam_outbox_sent", "Outbox messages delivered", registry=self.registry
        )
        self.send_failures = Counter(
            "gonggam_send_failures", "Failed Telegram sends", ["reason"], registry=self.registry
        )
        self.transitions = Counter(
            "gonggam_transitions", "Deadline transitions performed", ["kind"],
            registry=self.registry,
        )
        self.outbox_backlog = Gauge(
            "gonggam_outbox_backlog", "Pending outbox rows", registry=self.registry
        )
        self.dispatcher_lag = Gauge(
            "gonggam_dispatcher_lag_seconds", "Age of the oldest due unsent outbox row",
            registry=self.registry,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
