"""CloudWatch metrics for the utilization checks, fetched in batches of 500 queries per
GetMetricData call (one call for all volumes, not one per volume).

"No datapoints" is kept distinct from "zero": AWS publishes some metrics only when there is
activity (ELB RequestCount), others always (EBS VolumeReadOps), and each check decides what an
absent series means for its resource.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from checks.services.base import ServiceBase

BATCH = 500  # GetMetricData limit on MetricDataQueries per call
DAY = 86_400


@dataclass(frozen=True)
class MetricQuery:
    namespace: str
    metric: str
    dimensions: tuple[tuple[str, str], ...]
    stat: str = "Sum"
    period: int = DAY


@dataclass(frozen=True)
class MetricSeries:
    query: MetricQuery
    values: tuple[float, ...]  # one per period with data, oldest first
    timestamps: tuple[datetime, ...] = ()

    @property
    def has_data(self) -> bool:
        return bool(self.values)

    @property
    def total(self) -> float:
        return float(sum(self.values))

    @property
    def maximum(self) -> float:
        return max(self.values) if self.values else 0.0

    @property
    def mean(self) -> float:
        return self.total / len(self.values) if self.values else 0.0


def query(namespace: str, metric: str, stat: str = "Sum", period: int = DAY,
          **dims: str) -> MetricQuery:
    return MetricQuery(namespace, metric, tuple(sorted(dims.items())), stat, period)


class CloudWatchService(ServiceBase):
    name = "cloudwatch"

    def series(self, queries: Iterable[MetricQuery], days: int) -> dict[MetricQuery, MetricSeries]:
        """Series over the `days` full days before the scan's `now` (cached per window)."""
        end = self.ctx.now.replace(minute=0, second=0, microsecond=0)
        start = end - timedelta(days=days)
        wanted = sorted(set(queries), key=repr)
        missing = [q for q in wanted if (q, start) not in self._memo]
        for i in range(0, len(missing), BATCH):
            self._fetch(missing[i : i + BATCH], start, end)
        return {q: self._memo[(q, start)] for q in wanted}

    def _fetch(self, batch: Sequence[MetricQuery], start: datetime, end: datetime) -> None:
        specs = [
            {
                "Id": f"m{n}",
                "MetricStat": {
                    "Metric": {
                        "Namespace": q.namespace,
                        "MetricName": q.metric,
                        "Dimensions": [{"Name": k, "Value": v} for k, v in q.dimensions],
                    },
                    "Period": q.period,
                    "Stat": q.stat,
                },
                "ReturnData": True,
            }
            for n, q in enumerate(batch)
        ]
        points: dict[str, list[tuple[datetime, float]]] = {f"m{n}": [] for n in range(len(batch))}
        results = self.paginate(
            "GetMetricData", "MetricDataResults", MetricDataQueries=specs,
            StartTime=start, EndTime=end, ScanBy="TimestampAscending",
        )
        for res in results:
            points.setdefault(res["Id"], []).extend(
                zip(res.get("Timestamps", []), res.get("Values", []), strict=False)
            )
        for n, q in enumerate(batch):
            ordered = sorted(points.get(f"m{n}", []), key=lambda tv: tv[0])
            self._memo[(q, start)] = MetricSeries(
                q, tuple(float(v) for _, v in ordered), tuple(t for t, _ in ordered)
            )

    def combined(
        self, per_resource: Mapping[str, Sequence[MetricQuery]], days: int
    ) -> dict[str, MetricSeries]:
        """Per resource, the period-by-period sum of several metrics (read + write ops, bytes
        in + out), fetched in one batch for all resources."""
        fetched = self.series([q for qs in per_resource.values() for q in qs], days)
        return {rid: combine([fetched[q] for q in qs]) for rid, qs in per_resource.items()}


def combine(series: Sequence[MetricSeries]) -> MetricSeries:
    """Sum series period by period (a period present in any series counts)."""
    totals: dict[datetime, float] = {}
    for s in series:
        stamps = s.timestamps or tuple(datetime.min for _ in s.values)
        for t, v in zip(stamps, s.values, strict=True):
            totals[t] = totals.get(t, 0.0) + v
    ordered = sorted(totals.items())
    return MetricSeries(series[0].query, tuple(v for _, v in ordered), tuple(t for t, _ in ordered))
