"""Old AMIs nothing runs from: their snapshots are billed forever."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from checks.aged import Old, OldByAgeCheck
from checks.config import CheckConfig
from checks.model import ScanContext, load_meta
from checks.pricing import Term, estimate
from checks.services.ec2 import EC2Service, Image, Instance


@dataclass(frozen=True)
class Models:
    resources: list[Image]
    instances: list[Instance]


class Ec2AmiUnusedOld(OldByAgeCheck):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> Models:
        ec2 = ctx.service(EC2Service)
        return Models(ec2.images(), ec2.instances())

    def candidates(self, models: Models, cfg: CheckConfig) -> Iterable[Image]:
        in_use = {i.image_id for i in models.instances}
        return [img for img in models.resources
                if img.state == "available" and img.id not in in_use]

    def since(self, ctx: ScanContext, img: Image, models: Models) -> datetime:
        return img.creation_date

    def old(self, ctx: ScanContext, cfg: CheckConfig, img: Image, age: float,
            models: Models) -> Old:
        est = estimate(
            ctx.prices, ctx.region,
            [Term(Decimal(img.snapshot_gib), f"{img.snapshot_gib} GiB of snapshots",
                  "ebs:snapshot:gb-month")],
            note="upper bound: snapshots are incremental",
            upper_bound=True,
        )
        return Old(img.id, f"AMI {img.id} is {age:.0f} days old and used by no instance", est,
                   0.6, {"age_days": round(age, 1), "snapshots": list(img.snapshot_ids),
                         "snapshot_gib": img.snapshot_gib},
                   name=img.name or None, tags=img.tags)
