"""RDS instances nobody connected to for a week."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from checks.config import CheckConfig
from checks.costs import rds_instance_terms
from checks.model import Check, ScanContext, days_between, load_meta
from checks.pricing import estimate
from checks.services.cloudwatch import CloudWatchService, MetricSeries, query
from checks.services.rds import DBInstance, RDSService
from contracts.finding import Finding


@dataclass(frozen=True)
class Models:
    resources: list[DBInstance]
    connections: dict[str, MetricSeries]  # daily Maximum of DatabaseConnections


class RdsInstanceIdle(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> Models:
        days = int(ctx.config.for_check(self.meta).get("lookback_days"))
        dbs = ctx.service(RDSService).instances()
        qs = {d.id: query("AWS/RDS", "DatabaseConnections", "Maximum", DBInstanceIdentifier=d.id)
              for d in dbs}
        got = ctx.service(CloudWatchService).series(qs.values(), days)
        return Models(dbs, {k: got[q] for k, q in qs.items()})

    def evaluate(self, models: Models, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        days = cfg.get("lookback_days")
        for db in models.resources:
            if db.status != "available" or db.created is None or \
                    days_between(db.created, ctx.now) < days:
                continue
            conns = models.connections.get(db.id)
            if conns is None or not conns.has_data:
                continue  # RDS always publishes connections; silence is not evidence of idleness
            if conns.maximum > 0:
                continue
            terms = rds_instance_terms(db.instance_class, db.engine, db.multi_az, db.storage_gib,
                                       db.storage_type)
            yield self.finding(
                ctx, cfg,
                resource_id=db.id,
                resource_name=db.id,
                title=f"RDS instance {db.id} ({db.instance_class}) had no connections in "
                      f"{days} days",
                estimate=estimate(ctx.prices, ctx.region, terms),
                confidence=0.85,
                details={"engine": db.engine, "instance_class": db.instance_class,
                         "multi_az": db.multi_az, "lookback_days": days,
                         "days_with_data": len(conns.values)},
                group=self.disposition(ctx, self.meta.resource_type, db.id),
                tags=db.tags,
            )
