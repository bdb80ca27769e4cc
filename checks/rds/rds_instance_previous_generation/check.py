"""RDS on previous-generation classes: the successor is cheaper and faster."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from checks.config import CheckConfig
from checks.costs import rds_key
from checks.families import PREVIOUS_GENERATION, successor
from checks.model import Check, ScanContext, load_meta
from checks.modernize import switch_estimate
from checks.services.rds import DBInstance, RDSService
from contracts.finding import Finding


class RdsInstancePreviousGeneration(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> list[DBInstance]:
        return ctx.service(RDSService).instances()

    def evaluate(self, models: list[DBInstance], cfg: CheckConfig,
                 ctx: ScanContext) -> Iterable[Finding]:
        for db in models:
            if db.status != "available":
                continue
            try:
                target = successor(db.instance_class, PREVIOUS_GENERATION)
            except ValueError as exc:
                self.skip(ctx, db.id, str(exc))
                continue
            if target is None:
                continue
            key = partial(rds_key, engine=db.engine, multi_az=db.multi_az)
            est = switch_estimate(ctx, db.instance_class, target, key)
            if est.amount is not None and est.amount < 0:
                continue
            yield self.finding(
                ctx, cfg,
                resource_id=db.id,
                resource_name=db.id,
                title=f"RDS instance {db.id} runs previous-generation {db.instance_class}: "
                      f"use {target}",
                estimate=est,
                confidence=0.8,
                details={"instance_class": db.instance_class, "recommended_class": target,
                         "engine": db.engine, "multi_az": db.multi_az},
                group=self.disposition(ctx, self.meta.resource_type, db.id),
                tags=db.tags,
            )
