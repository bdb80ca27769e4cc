"""Manual snapshots whose database is gone: often forgotten final snapshots."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from checks.config import CheckConfig
from checks.model import Check, ScanContext, days_between, load_meta
from checks.rds.rds_snapshot_manual_old.check import snapshot_estimate
from checks.services.rds import DBInstance, DBSnapshot, RDSService
from contracts.finding import Finding


@dataclass(frozen=True)
class Models:
    resources: list[DBSnapshot]
    instances: list[DBInstance]


class RdsSnapshotOrphaned(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> Models:
        rds = ctx.service(RDSService)
        return Models(rds.manual_snapshots(), rds.instances())

    def evaluate(self, models: Models, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        alive = {d.id for d in models.instances}
        for s in models.resources:
            if s.status != "available" or not s.instance_id or s.instance_id in alive:
                continue
            if s.created is None:
                continue  # still being taken
            age = days_between(s.created, ctx.now)
            if age < cfg.get("min_age_days"):
                continue
            yield self.finding(
                ctx, cfg,
                resource_id=s.id,
                resource_name=s.id,
                title=f"Manual RDS snapshot {s.id} belongs to deleted instance {s.instance_id}",
                estimate=snapshot_estimate(ctx, s),
                confidence=0.5,
                details={"age_days": round(age, 1), "source_instance": s.instance_id,
                         "allocated_gib": s.allocated_gib},
                group=self.disposition(ctx, self.meta.resource_type, s.id),
            )
