"""Notifier metrics (docs/metrics.md), read from the notifier's own counters at scrape time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client import REGISTRY
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from notify.notifier import NotifyStats

_HELP = {"consumed": "Events consumed", "matched": "Events that matched at least one rule",
         "messages_sent": "Webhook messages delivered", "events_sent": "Events delivered",
         "dead_lettered": "Events dead-lettered", "undecodable": "Records that were not events"}


class _NotifyCollector(Collector):
    def __init__(self, stats: NotifyStats) -> None:
        self.stats = stats

    def collect(self) -> Iterator[Any]:
        for field, text in _HELP.items():
            yield CounterMetricFamily(f"finops_notify_{field}", text,
                                      value=getattr(self.stats, field))


def watch(stats: NotifyStats) -> None:
    REGISTRY.register(_NotifyCollector(stats))
