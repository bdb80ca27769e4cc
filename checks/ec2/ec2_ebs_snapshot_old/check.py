"""Snapshots older than the retention threshold that no AMI needs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cached_property

from checks.aged import Old, OldByAgeCheck
from checks.config import CheckConfig
from checks.model import ScanContext, load_meta
from checks.pricing import Estimate, Term, estimate, gib_of
from checks.services.ec2 import EC2Service, Image, Snapshot, Volume

PLACEHOLDER_VOLUME = "vol-ffffffff"  # copied snapshots: the source volume is unknown


@dataclass(frozen=True)
class Models:
    resources: list[Snapshot]
    images: list[Image]
    volumes: list[Volume] | None = None  # None: not collected, existence unknown

    @cached_property
    def siblings(self) -> Counter[str]:
        """Snapshots per source volume."""
        return Counter(s.volume_id for s in self.resources)

    @cached_property
    def live(self) -> set[str] | None:
        return None if self.volumes is None else {v.id for v in self.volumes}


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


class Ec2EbsSnapshotOld(OldByAgeCheck):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> Models:
        ec2 = ctx.service(EC2Service)
        return Models(ec2.snapshots(), ec2.images(), ec2.volumes())

    def candidates(self, models: Models, cfg: CheckConfig) -> Iterable[Snapshot]:
        used = {sid for img in models.images for sid in img.snapshot_ids}
        return [s for s in models.resources if s.state == "completed" and s.id not in used]

    def since(self, ctx: ScanContext, s: Snapshot, models: Models) -> datetime:
        return s.start_time

    def old(self, ctx: ScanContext, cfg: CheckConfig, s: Snapshot, age: float,
            models: Models) -> Old:
        live = models.live
        return Old(
            s.id, f"EBS snapshot {s.id} is {age:.0f} days old and unused by any AMI",
            snapshot_estimate(ctx, s, models.siblings.get(s.volume_id, 0)), 0.5,
            {"age_days": round(age, 1), "volume_id": s.volume_id,
             "volume_exists": "unknown" if live is None else s.volume_id in live,
             "volume_size_gib": s.volume_size_gib, "storage_tier": s.storage_tier,
             "full_snapshot_size_bytes": s.full_size_bytes},
            tags=s.tags)
