"""Old AMIs nothing runs from: their snapshots are billed forever."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from checks.config import CheckConfig
from checks.model import Check, ScanContext, days_between, load_meta
from checks.pricing import Term, estimate
from checks.services.ec2 import EC2Service, Image, Instance
from contracts.finding import Finding


@dataclass(frozen=True)
class Models:
    resources: list[Image]
    instances: list[Instance]


class Ec2AmiUnusedOld(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> Models:
        ec2 = ctx.service(EC2Service)
        return Models(ec2.images(), ec2.instances())

    def evaluate(self, models: Models, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        max_age = cfg.get("max_age_days")
        in_use = {i.image_id for i in models.instances}
        for img in models.resources:
            if img.state != "available" or img.id in in_use:
                continue
            age = days_between(img.creation_date, ctx.now)
            if age <= max_age:
                continue
            est = estimate(
                ctx.prices, ctx.region,
                [Term(Decimal(img.snapshot_gib), f"{img.snapshot_gib} GiB of snapshots",
                      "ebs:snapshot:gb-month")],
                note="upper bound: snapshots are incremental",
                upper_bound=True,
            )
            yield self.finding(
                ctx, cfg,
                resource_id=img.id,
                resource_name=img.name or None,
                title=f"AMI {img.id} is {age:.0f} days old and used by no instance",
                estimate=est,
                confidence=0.6,
                details={"age_days": round(age, 1), "snapshots": list(img.snapshot_ids),
                         "snapshot_gib": img.snapshot_gib},
                group=self.disposition(ctx, "AWS::EC2::Image", img.id),
                tags=img.tags,
            )
