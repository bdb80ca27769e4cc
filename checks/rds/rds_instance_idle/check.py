"""RDS instances nobody connected to for a week."""

from __future__ import annotations

from datetime import datetime

from checks.config import CheckConfig
from checks.costs import rds_instance_terms
from checks.idle import IdleByMetricCheck, Watched
from checks.model import ScanContext, load_meta
from checks.pricing import estimate
from checks.services.cloudwatch import MetricSeries
from checks.services.rds import DBInstance, RDSService
from contracts.finding import Finding

Models = Watched  # resources + daily Maximum of DatabaseConnections per instance


class RdsInstanceIdle(IdleByMetricCheck):
    meta = load_meta(__file__)
    namespace, metric, dimension = "AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier"

    def resources(self, ctx: ScanContext) -> list[DBInstance]:
        return ctx.service(RDSService).instances()

    def judged(self, db: DBInstance) -> datetime | None:
        return db.created if db.status == "available" else None

    def idle(self, ctx: ScanContext, cfg: CheckConfig, db: DBInstance, series: MetricSeries,
             days: int) -> Finding:
        terms = rds_instance_terms(db.instance_class, db.engine, db.multi_az, db.storage_gib,
                                   db.storage_type)
        return self.finding(
            ctx, cfg,
            resource_id=db.id,
            resource_name=db.id,
            title=f"RDS instance {db.id} ({db.instance_class}) had no connections in {days} days",
            estimate=estimate(ctx.prices, ctx.region, terms),
            confidence=0.85,
            details={"engine": db.engine, "instance_class": db.instance_class,
                     "multi_az": db.multi_az, "lookback_days": days,
                     "days_with_data": len(series.values)},
            group=self.disposition(ctx, self.meta.resource_type, db.id),
            tags=db.tags,
        )
