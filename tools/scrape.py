"""Scrape a Prometheus endpoint into {(name, labels...): value}: what the metrics tests read."""

from __future__ import annotations

import urllib.request

from prometheus_client.parser import text_string_to_metric_families

Sample = tuple[str, tuple[tuple[str, str], ...]]


def scrape(url: str, timeout: float = 10.0) -> dict[Sample, float]:
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        text = resp.read().decode()
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def families(url: str, timeout: float = 10.0) -> set[str]:
    """Metric family names exposed, with or without samples (a labelled counter that never
    counted shows only its HELP/TYPE lines)."""
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        text = resp.read().decode()
    return {family.name for family in text_string_to_metric_families(text)}


def value(samples: dict[Sample, float], name: str, **labels: str) -> float | None:
    return samples.get((name, tuple(sorted(labels.items()))))


def names(samples: dict[Sample, float]) -> set[str]:
    return {name for name, _ in samples}
