"""Open-source engines on x86 classes with a Graviton twin (db.m5 -> db.m6g, ...)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from checks.config import CheckConfig
from checks.costs import rds_engine_family, rds_key
from checks.families import GRAVITON, successor
from checks.model import Check, ScanContext, load_meta
from checks.modernize import switch_estimate
from checks.pricing import monthly_cost
from checks.services.rds import DBInstance, RDSService
from contracts.finding import Finding

GRAVITON_ENGINES = frozenset({"mysql", "mariadb", "postgresql", "aurora-mysql",
                              "aurora-postgresql"})


class RdsInstanceGravitonCandidate(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> list[DBInstance]:
        return ctx.service(RDSService).instances()

    def evaluate(self, models: list[DBInstance], cfg: CheckConfig,
                 ctx: ScanContext) -> Iterable[Finding]:
        for db in models:
            if db.status != "available" or rds_engine_family(db.engine) not in GRAVITON_ENGINES:
                continue
            try:
                target = successor(db.instance_class, GRAVITON)
            except ValueError as exc:
                self.skip(ctx, db.id, str(exc))
                continue
            if target is None:
                continue
            key = partial(rds_key, engine=db.engine, multi_az=db.multi_az)
            est = switch_estimate(ctx, db.instance_class, target, key)
            if est.amount is not None and est.amount <= 0:
                continue
            yield self.finding(
                ctx, cfg,
                resource_id=db.id,
                resource_name=db.id,
                title=f"RDS instance {db.id} ({db.instance_class}) could run on Graviton {target}",
                estimate=est,
                confidence=0.7,
                details={"instance_class": db.instance_class, "recommended_class": target,
                         "engine": db.engine,
                         "current_monthly_cost": monthly_cost(ctx.prices, ctx.region,
                                                              key(db.instance_class))},
                group=self.disposition(ctx, self.meta.resource_type, db.id),
                tags=db.tags,
            )
