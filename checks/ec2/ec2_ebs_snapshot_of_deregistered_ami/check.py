"""Snapshots an AMI was made of, left behind when the AMI was deregistered."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from checks.aged import Old, OldByAgeCheck
from checks.config import CheckConfig
from checks.ec2.ec2_ebs_snapshot_old.check import Models, snapshot_estimate
from checks.model import ScanContext, load_meta
from checks.services.ec2 import EC2Service, Snapshot

# what EC2 writes into the description of the snapshots it makes for CreateImage / CopyImage
MADE_FOR = re.compile(r"(?:Created by CreateImage\(i-[0-9a-f]+\) for|Copied for DestinationAmi)"
                      r" (ami-[0-9a-f]+)")


def made_for(s: Snapshot) -> str | None:
    m = MADE_FOR.search(s.description)
    return m.group(1) if m else None


class Ec2EbsSnapshotOfDeregisteredAmi(OldByAgeCheck):
    meta = load_meta(__file__)
    threshold = "min_age_days"

    def collect(self, ctx: ScanContext) -> Models:
        ec2 = ctx.service(EC2Service)
        return Models(ec2.snapshots(), ec2.images())

    def candidates(self, models: Models, cfg: CheckConfig) -> Iterable[Snapshot]:
        images = {img.id for img in models.images}
        used = {sid for img in models.images for sid in img.snapshot_ids}
        return [s for s in models.resources if s.state == "completed" and s.id not in used
                and (ami := made_for(s)) is not None and ami not in images]

    def since(self, ctx: ScanContext, s: Snapshot, models: Models) -> datetime:
        return s.start_time

    def old(self, ctx: ScanContext, cfg: CheckConfig, s: Snapshot, age: float,
            models: Models) -> Old:
        ami = made_for(s)
        return Old(s.id, f"EBS snapshot {s.id} was made for AMI {ami}, which no longer exists",
                   snapshot_estimate(ctx, s, models.siblings.get(s.volume_id, 0)), 0.8,
                   {"age_days": round(age, 1), "image_id": ami, "volume_id": s.volume_id,
                    "volume_size_gib": s.volume_size_gib, "storage_tier": s.storage_tier,
                    "full_snapshot_size_bytes": s.full_size_bytes},
                   tags=s.tags)
