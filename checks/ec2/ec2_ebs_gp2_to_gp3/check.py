"""gp2 -> gp3: same size, same baseline IOPS and throughput, ~20% cheaper per GiB."""

from __future__ import annotations

from collections.abc import Iterable

from checks.config import CheckConfig
from checks.costs import (
    gp2_baseline_iops,
    gp2_sustained_throughput,
    gp3_terms_for,
    volume_terms,
)
from checks.model import Check, ScanContext, load_meta
from checks.pricing import estimate
from checks.services.ec2 import EC2Service, Volume
from contracts.finding import Finding


class Ec2EbsGp2ToGp3(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> list[Volume]:
        return ctx.service(EC2Service).volumes()

    def evaluate(self, models: list[Volume], cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        for v in models:
            if v.type != "gp2" or v.size_gib < cfg.get("min_size_gib"):
                continue
            iops = gp2_baseline_iops(v.size_gib)
            mibps = gp2_sustained_throughput(v.size_gib)
            terms = volume_terms(v) + gp3_terms_for(v.size_gib, iops, sign=-1, throughput=mibps)
            est = estimate(ctx.prices, ctx.region, terms,
                           note=f"gp3 keeps the gp2 baseline of {iops} IOPS and {mibps} MiB/s")
            if est.amount is not None and est.amount <= 0:
                continue
            yield self.finding(
                ctx, cfg,
                resource_id=v.id,
                resource_name=v.name,
                title=f"EBS volume {v.id} ({v.size_gib} GiB) is gp2: move to gp3",
                estimate=est,
                confidence=0.9,
                details={"size_gib": v.size_gib, "gp2_baseline_iops": iops,
                         "gp2_throughput_mibps": mibps, "state": v.state},
                group=self.disposition(ctx, "AWS::EC2::Volume", v.id),
                tags=v.tags,
            )
