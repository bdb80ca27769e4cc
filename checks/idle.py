"""One shape for "idle by a CloudWatch metric over a look-back window": a resource older than
`lookback_days` whose watched metric (e.g. the daily Maximum of its connections) has data and
never rose above zero. For services that publish the metric continuously, so silence is missing
evidence, not idleness. A check of this shape is its metadata, the metric, how to list and judge
its resources, and the finding it makes of an idle one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from checks.config import CheckConfig
from checks.model import Check, ScanContext, days_between
from checks.services.cloudwatch import CloudWatchService, MetricSeries, query
from contracts.finding import Finding


@dataclass(frozen=True)
class Watched:
    resources: list[Any]
    series: dict[str, MetricSeries]  # resource id -> daily series of the watched metric


class IdleByMetricCheck(Check):
    """Subclasses set namespace, metric and dimension and implement `resources`, `judged`
    (the resource's creation time when it is in a state to judge, else None) and `idle`."""

    namespace: ClassVar[str]
    metric: ClassVar[str]
    dimension: ClassVar[str]  # the metric's dimension holding the resource id
    stat: ClassVar[str] = "Maximum"

    def resources(self, ctx: ScanContext) -> list[Any]:
        raise NotImplementedError

    def judged(self, resource: Any) -> datetime | None:
        raise NotImplementedError

    def idle(self, ctx: ScanContext, cfg: CheckConfig, resource: Any, series: MetricSeries,
             days: int) -> Finding:
        raise NotImplementedError

    def collect(self, ctx: ScanContext) -> Watched:
        days = int(ctx.config.for_check(self.meta).get("lookback_days"))
        found = self.resources(ctx)
        qs = {r.id: query(self.namespace, self.metric, self.stat, **{self.dimension: r.id})
              for r in found}
        got = ctx.service(CloudWatchService).series(qs.values(), days)
        return Watched(found, {k: got[q] for k, q in qs.items()})

    def evaluate(self, models: Watched, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        days = cfg.get("lookback_days")
        for r in models.resources:
            created = self.judged(r)
            if created is None or days_between(created, ctx.now) < days:
                continue
            series = models.series.get(r.id)
            if series is None or not series.has_data or series.maximum > 0:
                continue  # published continuously: no data is no evidence
            yield self.idle(ctx, cfg, r, series, days)
