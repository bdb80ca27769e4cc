"""Snapshots older than the retention threshold that no AMI needs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from checks.config import CheckConfig
from checks.model import Check, ScanContext, days_between, load_meta
from checks.pricing import Term, estimate
from checks.services.ec2 import EC2Service, Image, Snapshot, Volume
from contracts.finding import Finding


@dataclass(frozen=True)
class Models:
    resources: list[Snapshot]
    images: list[Image]
    volumes: list[Volume] | None = None  # None: not collected, existence unknown


class Ec2EbsSnapshotOld(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> Models:
        ec2 = ctx.service(EC2Service)
        return Models(ec2.snapshots(), ec2.images(), ec2.volumes())

    def evaluate(self, models: Models, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        max_age = cfg.get("max_age_days")
        used = {sid for img in models.images for sid in img.snapshot_ids}
        live = None if models.volumes is None else {v.id for v in models.volumes}
        for s in models.resources:
            if s.state != "completed" or s.id in used:
                continue
            age = days_between(s.start_time, ctx.now)
            if age <= max_age:
                continue
            key = "ebs:snapshot-archive:gb-month" if s.storage_tier == "archive" else \
                "ebs:snapshot:gb-month"
            est = estimate(ctx.prices, ctx.region,
                           [Term(Decimal(s.volume_size_gib), f"{s.volume_size_gib} GiB", key)],
                           note="upper bound: snapshots are incremental")
            yield self.finding(
                ctx, cfg,
                resource_id=s.id,
                title=f"EBS snapshot {s.id} is {age:.0f} days old and unused by any AMI",
                estimate=est,
                confidence=0.5,
                details={"age_days": round(age, 1), "volume_id": s.volume_id,
                         "volume_exists": "unknown" if live is None else s.volume_id in live,
                         "volume_size_gib": s.volume_size_gib, "storage_tier": s.storage_tier},
                group=self.disposition(ctx, "AWS::EC2::Snapshot", s.id),
                tags=s.tags,
            )
