"""Manual RDS snapshots kept past the retention threshold."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from checks.config import CheckConfig
from checks.model import Check, ScanContext, days_between, load_meta
from checks.pricing import Estimate, Term, estimate
from checks.services.rds import DBSnapshot, RDSService
from contracts.finding import Finding


def snapshot_estimate(ctx: ScanContext, s: DBSnapshot) -> Estimate:
    return estimate(ctx.prices, ctx.region,
                    [Term(Decimal(s.allocated_gib), f"{s.allocated_gib} GiB",
                          "rds:snapshot:gb-month")],
                    note="upper bound: allocated size, snapshots are incremental",
                    upper_bound=True)


class RdsSnapshotManualOld(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> list[DBSnapshot]:
        return ctx.service(RDSService).manual_snapshots()

    def evaluate(self, models: list[DBSnapshot], cfg: CheckConfig,
                 ctx: ScanContext) -> Iterable[Finding]:
        for s in models:
            if s.status != "available" or s.snapshot_type != "manual":
                continue
            if s.created is None:
                continue  # still being taken
            age = days_between(s.created, ctx.now)
            if age <= cfg.get("max_age_days"):
                continue
            yield self.finding(
                ctx, cfg,
                resource_id=s.id,
                resource_name=s.id,
                title=f"Manual RDS snapshot {s.id} is {age:.0f} days old",
                estimate=snapshot_estimate(ctx, s),
                confidence=0.5,
                details={"age_days": round(age, 1), "source_instance": s.instance_id,
                         "allocated_gib": s.allocated_gib},
                group=self.disposition(ctx, self.meta.resource_type, s.id),
            )
