"""io1/io2 at <= 16,000 IOPS: gp3 delivers the same IOPS for far less."""

from __future__ import annotations

from collections.abc import Iterable

from checks.config import CheckConfig
from checks.costs import gp3_terms_for, volume_terms
from checks.model import Check, ScanContext, load_meta
from checks.pricing import estimate
from checks.services.ec2 import EC2Service, Volume
from contracts.finding import Finding


class Ec2EbsIoToGp3(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> list[Volume]:
        return ctx.service(EC2Service).volumes()

    def evaluate(self, models: list[Volume], cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        for v in models:
            if v.type not in ("io1", "io2"):
                continue
            if v.iops is None:
                self.skip(ctx, v.id, f"{v.type} volume without Iops")
                continue
            if v.iops > cfg.get("max_iops"):
                continue
            terms = volume_terms(v) + gp3_terms_for(v.size_gib, v.iops, sign=-1)
            est = estimate(ctx.prices, ctx.region, terms, note=f"gp3 provisioned at {v.iops} IOPS")
            if est.amount is not None and est.amount <= 0:
                continue
            yield self.finding(
                ctx, cfg,
                resource_id=v.id,
                resource_name=v.name,
                title=f"EBS volume {v.id} ({v.type}, {v.iops} IOPS) fits gp3",
                estimate=est,
                confidence=0.7 if v.type == "io1" else 0.6,  # io2 may be chosen for durability
                details={"volume_type": v.type, "size_gib": v.size_gib, "iops": v.iops},
                group=self.disposition(ctx, "AWS::EC2::Volume", v.id),
                tags=v.tags,
            )
