"""A Multi-AZ standby for a test database protects nothing anyone pays for."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from checks.config import CheckConfig
from checks.costs import hours_term, rds_key
from checks.environment import is_non_production
from checks.model import Check, ScanContext, load_meta
from checks.pricing import Term, estimate
from checks.services.rds import DBInstance, RDSService
from contracts.finding import Finding


class RdsInstanceMultiAzNonProduction(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> list[DBInstance]:
        return ctx.service(RDSService).instances()

    def evaluate(self, models: list[DBInstance], cfg: CheckConfig,
                 ctx: ScanContext) -> Iterable[Finding]:
        for db in models:
            if not db.multi_az or db.status != "available" or db.engine.startswith("aurora"):
                continue  # Aurora replicas are separate instances, not a Multi-AZ flag
            env = is_non_production(db.tags, cfg.get("environment_tag_keys"),
                                    cfg.get("non_production_values"))
            if env is None:
                continue
            terms = [hours_term(rds_key(db.instance_class, db.engine, True), 1, db.instance_class),
                     hours_term(rds_key(db.instance_class, db.engine, False), 1,
                                db.instance_class, sign=-1)]
            if db.storage_gib:
                terms.append(Term(Decimal(db.storage_gib),
                                  f"{db.storage_gib} GiB standby storage",
                                  f"rds:{db.storage_type}:gb-month"))
            yield self.finding(
                ctx, cfg,
                resource_id=db.id,
                resource_name=db.id,
                title=f"RDS instance {db.id} ({env}) runs Multi-AZ",
                estimate=estimate(ctx.prices, ctx.region, terms),
                confidence=0.7,
                details={"environment": env, "instance_class": db.instance_class,
                         "engine": db.engine},
                group=f"{ctx.arn(self.meta.resource_type, db.id)}#multi-az",
                tags=db.tags,
            )
