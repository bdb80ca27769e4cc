"""RDS instances whose CPU never gets busy: one size smaller does the job."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from checks.config import CheckConfig
from checks.costs import hours_term, rds_key
from checks.families import smaller
from checks.model import Check, ScanContext, days_between, load_meta
from checks.pricing import estimate, monthly_cost
from checks.services.cloudwatch import CloudWatchService, MetricSeries, query
from checks.services.rds import DBInstance, RDSService
from contracts.finding import Finding


@dataclass(frozen=True)
class Models:
    resources: list[DBInstance]
    cpu_avg: dict[str, MetricSeries]
    cpu_max: dict[str, MetricSeries]


class RdsInstanceLowCpu(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> Models:
        days = int(ctx.config.for_check(self.meta).get("lookback_days"))
        dbs = ctx.service(RDSService).instances()
        cw = ctx.service(CloudWatchService)
        out: list[dict[str, MetricSeries]] = []
        for stat in ("Average", "Maximum"):
            qs = {d.id: query("AWS/RDS", "CPUUtilization", stat, DBInstanceIdentifier=d.id)
                  for d in dbs}
            got = cw.series(qs.values(), days)
            out.append({k: got[q] for k, q in qs.items()})
        return Models(dbs, out[0], out[1])

    def evaluate(self, models: Models, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        days = cfg.get("lookback_days")
        for db in models.resources:
            if db.status != "available" or db.created is None or \
                    days_between(db.created, ctx.now) < days:
                continue
            avg, peak = models.cpu_avg.get(db.id), models.cpu_max.get(db.id)
            if avg is None or peak is None or not avg.has_data:
                continue
            if avg.mean >= cfg.get("max_avg_cpu_percent") or \
                    peak.maximum > cfg.get("max_peak_cpu_percent"):
                continue
            try:
                target = smaller(db.instance_class)
            except ValueError as exc:
                self.skip(ctx, db.id, str(exc))
                continue
            if target is None:
                continue  # already the smallest size
            est = estimate(ctx.prices, ctx.region, [
                hours_term(rds_key(db.instance_class, db.engine, db.multi_az), 1, db.instance_class),
                hours_term(rds_key(target, db.engine, db.multi_az), 1, target, sign=-1),
            ])
            yield self.finding(
                ctx, cfg,
                resource_id=db.id,
                resource_name=db.id,
                title=f"RDS instance {db.id} averages {avg.mean:.1f}% CPU: downsize to {target}",
                estimate=est,
                confidence=0.6,
                details={"avg_cpu_percent": round(avg.mean, 2),
                         "peak_cpu_percent": round(peak.maximum, 2),
                         "instance_class": db.instance_class, "recommended_class": target,
                         "current_monthly_cost": monthly_cost(
                             ctx.prices, ctx.region,
                             rds_key(db.instance_class, db.engine, db.multi_az))},
                group=self.disposition(ctx, self.meta.resource_type, db.id),
                tags=db.tags,
            )
