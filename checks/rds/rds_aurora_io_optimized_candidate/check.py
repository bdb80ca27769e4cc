"""Aurora Standard clusters whose I/O bill outweighs I/O-Optimized's dearer instances and GiB."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from checks.config import CheckConfig
from checks.costs import rds_engine_family
from checks.model import Check, ScanContext, days_between, load_meta
from checks.pricing import GIB, HOURS_PER_MONTH, Estimate, Term, estimate
from checks.services.cloudwatch import CloudWatchService, MetricQuery, MetricSeries, query
from checks.services.rds import DBCluster, DBInstance, RDSService
from contracts.finding import Finding

IO_METRICS = ("VolumeReadIOPs", "VolumeWriteIOPs")
DAYS_PER_MONTH = HOURS_PER_MONTH / 24


@dataclass(frozen=True)
class Models:
    clusters: list[DBCluster]
    instances: dict[str, DBInstance]
    series: dict[MetricQuery, MetricSeries]


def io_queries(cluster_id: str) -> list[MetricQuery]:
    return [query("AWS/RDS", m, "Sum", DBClusterIdentifier=cluster_id) for m in IO_METRICS]


def storage_query(cluster_id: str) -> MetricQuery:
    return query("AWS/RDS", "VolumeBytesUsed", "Average", DBClusterIdentifier=cluster_id)


def switch_estimate(ctx: ScanContext, engine: str, classes: list[str], ios: Decimal,
                    gib: Decimal) -> Estimate:
    family = rds_engine_family(engine)
    terms = [Term(ios, f"{ios} I/Os/month", "rds:aurora-io:request"),
             Term(gib, f"{gib} GiB Standard", "rds:aurora:gb-month"),
             Term(gib, f"{gib} GiB I/O-Optimized", "rds:aurora-iopt1:gb-month", sign=-1)]
    for cls in classes:
        terms += [Term(HOURS_PER_MONTH, f"1 {cls} x 730 h", f"rds:{cls}:{family}:hour"),
                  Term(HOURS_PER_MONTH, f"1 {cls} I/O-Optimized x 730 h",
                       f"rds:{cls}:{family}:io-optimized:hour", sign=-1)]
    return estimate(ctx.prices, ctx.region, terms)


class RdsAuroraIoOptimizedCandidate(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> Models:
        rds = ctx.service(RDSService)
        clusters = [c for c in rds.clusters()
                    if c.engine.startswith("aurora") and c.storage_type == "aurora"]
        if not clusters:
            return Models([], {}, {})
        days = int(ctx.config.for_check(self.meta).get("lookback_days"))
        qs = [q for c in clusters for q in (*io_queries(c.id), storage_query(c.id))]
        return Models(clusters, {i.id: i for i in rds.instances()},
                      ctx.service(CloudWatchService).series(qs, days))

    def evaluate(self, models: Models, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        days = cfg.get("lookback_days")
        for c in models.clusters:
            if (c.storage_type != "aurora" or c.status != "available" or c.created is None
                    or days_between(c.created, ctx.now) < days):
                continue
            classes = [models.instances[m].instance_class for m in c.members
                       if m in models.instances]
            io = [models.series.get(q) for q in io_queries(c.id)]
            used = models.series.get(storage_query(c.id))
            if (not classes or "db.serverless" in classes or used is None or not used.has_data
                    or not any(s is not None and s.has_data for s in io)):
                continue
            total = sum(s.total for s in io if s is not None)
            ios = (Decimal(str(total)) / days * DAYS_PER_MONTH).quantize(Decimal(1))
            gib = (Decimal(str(used.mean)) / GIB).quantize(Decimal("0.001"))
            est = switch_estimate(ctx, c.engine, classes, ios, gib)
            if est.amount is None or est.amount <= 0:
                continue
            yield self.finding(
                ctx, cfg,
                resource_id=c.arn or c.id,
                resource_name=c.id,
                title=f"Aurora cluster {c.id} would cost less on I/O-Optimized "
                      f"({ios:,} I/Os a month)",
                estimate=est,
                confidence=0.7,
                details={"io_requests_month": int(ios), "storage_gib": str(gib),
                         "instances": classes, "engine": c.engine, "storage_type": c.storage_type},
                group=f"{ctx.arn(self.meta.resource_type, c.arn or c.id)}#storage-config",
                tags=c.tags,
            )
