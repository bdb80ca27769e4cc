"""The one place the estate extends moto: an AWS field its model lacks, and an index that makes
its CloudWatch answer at estate scale (below).

moto's `FakeSecret.to_dict` always serves `LastAccessedDate: null`, so every secret would look
never-read and "unused secret" could not tell waste from healthy. AWS serves the date (day
precision) of the last read; the estate records it on the secret and serves it the AWS way.
Applied once, idempotently, before seeding (`install`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from moto.secretsmanager.models import FakeSecret

from estate import fidelity_platform

_ATTR = "estate_last_accessed"


def install() -> None:
    install_metric_index()
    fidelity_platform.install()
    if getattr(FakeSecret.to_dict, "_estate", False):
        return
    original = FakeSecret.to_dict

    def to_dict(self: FakeSecret) -> dict[str, Any]:
        out: dict[str, Any] = original(self)
        when = getattr(self, _ATTR, None)
        if when is not None:
            out["LastAccessedDate"] = when
        return out

    to_dict._estate = True  # type: ignore[attr-defined]
    FakeSecret.to_dict = to_dict  # type: ignore[method-assign]


def secret_accessed(secret: Any, when: datetime) -> None:
    """AWS rounds LastAccessedDate down to the day; served as epoch seconds like moto's dates."""
    day = when.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    setattr(secret, _ATTR, day.timestamp())


# -- CloudWatch at estate scale ------------------------------------------------------------------
# moto's GetMetricData scans every datapoint of the region for every query and every period, so
# a scan of N resources costs O(N^2) and a 2,000-resource estate times out. AWS looks a series up
# by (namespace, metric, dimensions); the estate gives moto that index, and runs moto's own
# aggregation over just the matching series (same statistics, same output). Queries without
# dimensions or with expressions keep moto's full path.

_INDEX = "estate_metric_index"


class _SeriesView:
    """The backend as moto's get_metric_data sees it, holding only one series."""

    def __init__(self, backend: Any, data: list[Any]) -> None:
        self._backend = backend
        self._data = data

    def get_all_metrics(self) -> list[Any]:
        return self._data

    def __getattr__(self, name: str) -> Any:
        return getattr(self._backend, name)


def _series_key(namespace: str, name: str, dims: Any) -> tuple[str, str, frozenset[Any]]:
    return namespace, name, frozenset(dims)


def _index(backend: Any) -> dict[tuple[str, str, frozenset[Any]], list[Any]]:
    data = backend.get_all_metrics()
    cached = getattr(backend, _INDEX, None)
    if cached is not None and cached[0] == len(data):
        return cached[1]  # type: ignore[no-any-return]
    index: dict[tuple[str, str, frozenset[Any]], list[Any]] = {}
    for md in data:
        dims = ((d.name, d.value) for d in md.dimensions)
        index.setdefault(_series_key(md.namespace, md.name, dims), []).append(md)
    setattr(backend, _INDEX, (len(data), index))  # rebuilt when datapoints were added
    return index


def install_metric_index() -> None:
    from moto.cloudwatch.models import CloudWatchBackend

    if getattr(CloudWatchBackend.get_metric_data, "_estate", False):
        return
    original = CloudWatchBackend.get_metric_data

    def get_metric_data(self: Any, queries: list[dict[str, Any]], start_time: Any,
                        end_time: Any, scan_by: str = "TimestampAscending") -> Any:
        simple = all("MetricStat" in q and q["MetricStat"]["Metric"].get("Dimensions")
                     for q in queries)
        if not simple:
            return original(self, queries, start_time, end_time, scan_by)
        index = _index(self)
        results = []
        for q in queries:
            metric = q["MetricStat"]["Metric"]
            dims = ((d["Name"], d["Value"]) for d in metric["Dimensions"])
            series = index.get(_series_key(metric["Namespace"], metric["MetricName"], dims), [])
            view: Any = _SeriesView(self, series)  # duck-typed: all moto's code asks of self
            results.extend(original(view, [q], start_time, end_time, scan_by))
        return results

    get_metric_data._estate = True  # type: ignore[attr-defined]
    get_metric_data.moto_original = original  # type: ignore[attr-defined]
    CloudWatchBackend.get_metric_data = get_metric_data  # type: ignore[method-assign]
