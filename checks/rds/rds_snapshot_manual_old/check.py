"""Manual RDS snapshots kept past the retention threshold."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from checks.aged import Old, OldByAgeCheck
from checks.config import CheckConfig
from checks.model import ScanContext, load_meta
from checks.pricing import Estimate, Term, estimate
from checks.services.rds import DBSnapshot, RDSService


def snapshot_estimate(ctx: ScanContext, s: DBSnapshot) -> Estimate:
    return estimate(ctx.prices, ctx.region,
                    [Term(Decimal(s.allocated_gib), f"{s.allocated_gib} GiB",
                          "rds:snapshot:gb-month")],
                    note="upper bound: allocated size, snapshots are incremental",
                    upper_bound=True)


class RdsSnapshotManualOld(OldByAgeCheck):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> list[DBSnapshot]:
        return ctx.service(RDSService).manual_snapshots()

    def candidates(self, models: list[DBSnapshot], cfg: CheckConfig) -> Iterable[DBSnapshot]:
        return [s for s in models if s.status == "available" and s.snapshot_type == "manual"]

    def since(self, ctx: ScanContext, s: DBSnapshot, models: object) -> datetime | None:
        return s.created  # None: still being taken

    def old(self, ctx: ScanContext, cfg: CheckConfig, s: DBSnapshot, age: float,
            models: object) -> Old:
        return Old(s.id, f"Manual RDS snapshot {s.id} is {age:.0f} days old",
                   snapshot_estimate(ctx, s), 0.5,
                   {"age_days": round(age, 1), "source_instance": s.instance_id,
                    "allocated_gib": s.allocated_gib}, name=s.id)
