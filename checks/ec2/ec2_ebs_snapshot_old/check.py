"""Snapshots older than the retention threshold that no AMI needs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from checks.config import CheckConfig
from checks.model import Check, ScanContext, days_between, load_meta
from checks.pricing import Estimate, Term, estimate, gib_of
from checks.services.ec2 import EC2Service, Image, Snapshot, Volume
from contracts.finding import Finding

PLACEHOLDER_VOLUME = "vol-ffffffff"  # copied snapshots: the source volume is unknown


@dataclass(frozen=True)
class Models:
    resources: list[Snapshot]
    images: list[Image]
    volumes: list[Volume] | None = None  # None: not collected, existence unknown


def snapshot_estimate(ctx: ScanContext, s: Snapshot, of_volume: int) -> Estimate:
    """Billed size of one snapshot. With FullSnapshotSizeInBytes it is exact when the snapshot is
    archived (billed in full) or the only one of its volume (it holds every block); otherwise
    that size, or without it the volume's, is an upper bound (snapshots are incremental)."""
    archive = s.storage_tier == "archive"
    key = "ebs:snapshot-archive:gb-month" if archive else "ebs:snapshot:gb-month"
    if s.full_size_bytes is None:
        return estimate(ctx.prices, ctx.region,
                        [Term(Decimal(s.volume_size_gib), f"{s.volume_size_gib} GiB volume", key)],
                        note="upper bound: source volume size, snapshots are incremental",
                        upper_bound=True)
    size = gib_of(s.full_size_bytes)
    sole = of_volume <= 1 and s.volume_id != PLACEHOLDER_VOLUME
    exact = archive or sole
    why = ("archived snapshots are billed in full" if archive else
           "the only snapshot of its volume holds every block" if sole else
           "upper bound: other snapshots of the volume may share its blocks")
    return estimate(ctx.prices, ctx.region, [Term(size, f"{size} GiB full snapshot", key)],
                    note=why, upper_bound=not exact)


class Ec2EbsSnapshotOld(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> Models:
        ec2 = ctx.service(EC2Service)
        return Models(ec2.snapshots(), ec2.images(), ec2.volumes())

    def evaluate(self, models: Models, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        max_age = cfg.get("max_age_days")
        used = {sid for img in models.images for sid in img.snapshot_ids}
        live = None if models.volumes is None else {v.id for v in models.volumes}
        siblings = Counter(s.volume_id for s in models.resources)
        for s in models.resources:
            if s.state != "completed" or s.id in used:
                continue
            age = days_between(s.start_time, ctx.now)
            if age <= max_age:
                continue
            est = snapshot_estimate(ctx, s, siblings.get(s.volume_id, 0))
            yield self.finding(
                ctx, cfg,
                resource_id=s.id,
                title=f"EBS snapshot {s.id} is {age:.0f} days old and unused by any AMI",
                estimate=est,
                confidence=0.5,
                details={"age_days": round(age, 1), "volume_id": s.volume_id,
                         "volume_exists": "unknown" if live is None else s.volume_id in live,
                         "volume_size_gib": s.volume_size_gib, "storage_tier": s.storage_tier,
                         "full_snapshot_size_bytes": s.full_size_bytes},
                group=self.disposition(ctx, "AWS::EC2::Snapshot", s.id),
                tags=s.tags,
            )
