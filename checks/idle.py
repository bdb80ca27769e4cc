"""One shape for "idle by a CloudWatch metric over a look-back window": a resource older than
`lookback_days` whose watched metrics (e.g. the daily Maximum of its connections, or the daily
Sum of bytes in and out) never rose above zero. A check of this shape is its metadata, the
metrics, how to list and judge its resources, and the finding it makes of an idle one.

Some services publish their metrics continuously (RDS connections, OpenSearch SearchRate), so
a resource without datapoints is missing evidence, not idleness; others publish only when there
is activity (PrivateLink bytes, Transit Gateway bytes, SageMaker invocations), so over a window
as long as the resource has existed, silence is the idle signal: `silent_is_idle` says which."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from checks.config import CheckConfig
from checks.model import Check, ScanContext, days_between
from checks.pricing import Term, estimate
from checks.services.cloudwatch import CloudWatchService, MetricQuery, MetricSeries
from contracts.finding import Finding


@dataclass(frozen=True)
class Watched:
    resources: list[Any]
    series: dict[str, MetricSeries]  # resource id -> daily series (metrics summed per day)


class IdleByMetricCheck(Check):
    """Subclasses set namespace, metric (or metrics) and dimension, and implement `resources`,
    `judged` (the resource's creation time when it is in a state to judge, else None) and
    `idle`. A metric whose dimension set is more than the resource id (CloudWatch matches
    dimension sets exactly) overrides `dimension_sets`."""

    namespace: ClassVar[str]
    metric: ClassVar[str] = ""
    metrics: ClassVar[tuple[str, ...]] = ()  # several metrics, summed per day (bytes in + out)
    dimension: ClassVar[str] = ""  # the metric's dimension holding the resource id
    stat: ClassVar[str] = "Maximum"
    silent_is_idle: ClassVar[bool] = False  # metric published only on activity

    def resources(self, ctx: ScanContext) -> list[Any]:
        raise NotImplementedError

    def judged(self, resource: Any) -> datetime | None:
        raise NotImplementedError

    def idle(self, ctx: ScanContext, cfg: CheckConfig, resource: Any, series: MetricSeries,
             days: int) -> Finding:
        raise NotImplementedError

    def idle_finding(self, ctx: ScanContext, cfg: CheckConfig, resource: Any, *, title: str,
                     terms: list[Term], confidence: float, details: dict[str, Any],
                     name: str | None = None, note: str = "") -> Finding:
        """The finding of an idle resource: priced by `terms`, in the resource's disposition
        group (deleting it excludes rightsizing it), with its tags."""
        return self.finding(
            ctx, cfg, resource_id=resource.id, resource_name=name, title=title,
            estimate=estimate(ctx.prices, ctx.region, terms, note=note), confidence=confidence,
            details=details, group=self.disposition(ctx, self.meta.resource_type, resource.id),
            tags=getattr(resource, "tags", None) or {})

    def dimension_sets(self, resource: Any) -> list[dict[str, str]]:
        """The dimension sets whose series together measure the resource (one per production
        variant of a SageMaker endpoint, say)."""
        return [{self.dimension: resource.id}]

    def queries(self, resource: Any) -> list[MetricQuery]:
        names = self.metrics or (self.metric,)
        return [MetricQuery(self.namespace, m, tuple(sorted(dims.items())), self.stat)
                for m in names for dims in self.dimension_sets(resource)]

    def collect(self, ctx: ScanContext) -> Watched:
        days = int(ctx.config.for_check(self.meta).get("lookback_days"))
        found = self.resources(ctx)
        per = {r.id: qs for r in found if (qs := self.queries(r))}  # none: not judged
        return Watched(found, ctx.service(CloudWatchService).combined(per, days))

    def evaluate(self, models: Watched, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        days = cfg.get("lookback_days")
        for r in models.resources:
            created = self.judged(r)
            if created is None or days_between(created, ctx.now) < days:
                continue
            series = models.series.get(r.id)
            if series is None or series.maximum > 0:
                continue
            if not series.has_data and not self.silent_is_idle:
                continue  # published continuously: no data is no evidence
            yield self.idle(ctx, cfg, r, series, days)
