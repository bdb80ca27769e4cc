"""EMR clusters waiting with no work: every node bills EC2 plus the EMR fee."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from checks.config import CheckConfig
from checks.costs import hours_term, instance_key
from checks.model import Check, ScanContext, load_meta
from checks.pricing import Term, estimate
from checks.services.cloudwatch import CloudWatchService, MetricSeries, query
from checks.services.emr import Cluster, EMRService
from contracts.finding import Finding

FIVE_MINUTES = 300


@dataclass(frozen=True)
class Models:
    resources: list[Cluster]
    is_idle: dict[str, MetricSeries]  # 5-minute Minimum of IsIdle (1 = idle)


class EmrClusterIdle(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> Models:
        hours = int(ctx.config.for_check(self.meta).get("lookback_hours"))
        clusters = ctx.service(EMRService).clusters()
        qs = {c.id: query("AWS/ElasticMapReduce", "IsIdle", "Minimum", FIVE_MINUTES, JobFlowId=c.id)
              for c in clusters}
        days = max(1, -(-hours // 24))
        got = ctx.service(CloudWatchService).series(qs.values(), days)
        keep = hours * 3600 // FIVE_MINUTES  # the last `hours` worth of 5-minute points
        return Models(clusters, {
            k: MetricSeries(q, got[q].values[-keep:], got[q].timestamps[-keep:])
            for k, q in qs.items()
        })

    def evaluate(self, models: Models, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        hours = cfg.get("lookback_hours")
        for c in models.resources:
            if c.state not in ("WAITING", "RUNNING"):
                continue
            idle = models.is_idle.get(c.id)
            if idle is None or not idle.has_data or min(idle.values) < 1:
                continue
            terms: list[Term] = []
            for itype, count in c.instances:
                if count <= 0:
                    continue
                terms.append(hours_term(instance_key(itype), count, itype))
                terms.append(hours_term(f"emr:{itype}:hour", count, f"{itype} EMR fee"))
            if not terms:
                self.skip(ctx, c.id, "idle cluster without running instances")
                continue
            yield self.finding(
                ctx, cfg,
                resource_id=c.id,
                resource_name=c.name,
                title=f"EMR cluster {c.name} ({c.id}) idle for the last {hours} h",
                estimate=estimate(ctx.prices, ctx.region, terms),
                confidence=0.8,
                details={"state": c.state, "instances": dict(c.instances),
                         "idle_datapoints": len(idle.values)},
                group=self.disposition(ctx, self.meta.resource_type, c.id),
            )
