"""gp3 volumes paying for IOPS or throughput their busiest five minutes never used."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from checks.config import CheckConfig
from checks.costs import GP3_FREE_IOPS, GP3_FREE_THROUGHPUT
from checks.model import Check, ScanContext, days_between, load_meta
from checks.pricing import Term, estimate
from checks.services.cloudwatch import CloudWatchService, MetricSeries, query
from checks.services.ec2 import EC2Service, Volume
from contracts.finding import Finding

PERIOD = 300
MIB = 1024 * 1024


@dataclass(frozen=True)
class Models:
    resources: list[Volume]
    ops: dict[str, MetricSeries]  # 5-minute read+write op sums
    bytes: dict[str, MetricSeries]  # 5-minute read+write byte sums


def _over(v: Volume) -> bool:
    return v.type == "gp3" and ((v.iops or GP3_FREE_IOPS) > GP3_FREE_IOPS or
                                (v.throughput or GP3_FREE_THROUGHPUT) > GP3_FREE_THROUGHPUT)


class Ec2EbsGp3OverprovisionedPerformance(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> Models:
        days = int(ctx.config.for_check(self.meta).get("lookback_days"))
        vols = [v for v in ctx.service(EC2Service).volumes() if v.state == "in-use" and _over(v)]
        cw = ctx.service(CloudWatchService)

        def per(metrics: tuple[str, str]) -> dict[str, MetricSeries]:
            return cw.combined({v.id: [query("AWS/EBS", m, "Sum", PERIOD, VolumeId=v.id)
                                       for m in metrics] for v in vols}, days)

        return Models(vols, per(("VolumeReadOps", "VolumeWriteOps")),
                      per(("VolumeReadBytes", "VolumeWriteBytes")))

    def evaluate(self, models: Models, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        days, headroom = cfg.get("lookback_days"), cfg.get("headroom")
        for v in models.resources:
            if not _over(v) or v.state != "in-use" or days_between(v.create_time, ctx.now) < days:
                continue
            ops, data = models.ops.get(v.id), models.bytes.get(v.id)
            if ops is None or data is None or not ops.has_data:
                continue  # no measurements, no recommendation
            peak_iops = ops.maximum / PERIOD
            peak_mibps = data.maximum / PERIOD / MIB
            want_iops = max(GP3_FREE_IOPS, math.ceil(peak_iops * headroom))
            want_tp = max(GP3_FREE_THROUGHPUT, math.ceil(peak_mibps * headroom))
            have_iops = v.iops or GP3_FREE_IOPS
            have_tp = v.throughput or GP3_FREE_THROUGHPUT
            terms = []
            if want_iops < have_iops:
                cut = have_iops - want_iops
                terms.append(Term(Decimal(cut), f"{cut} IOPS ({have_iops} -> {want_iops})",
                                  "ebs:gp3:iops-month"))
            if want_tp < have_tp:
                cut = have_tp - want_tp
                terms.append(Term(Decimal(cut), f"{cut} MiB/s ({have_tp} -> {want_tp})",
                                  "ebs:gp3:mibps-month"))
            if not terms:
                continue
            yield self.finding(
                ctx, cfg,
                resource_id=v.id,
                resource_name=v.name,
                title=f"gp3 volume {v.id} provisioned {have_iops} IOPS / {have_tp} MiB/s, "
                      f"peak use {peak_iops:.0f} IOPS / {peak_mibps:.1f} MiB/s",
                estimate=estimate(ctx.prices, ctx.region, terms,
                                  note=f"peak 5-minute use x {headroom} headroom"),
                confidence=0.6,
                details={"provisioned_iops": have_iops, "provisioned_mibps": have_tp,
                         "peak_iops": round(peak_iops, 1), "peak_mibps": round(peak_mibps, 2),
                         "recommended_iops": want_iops, "recommended_mibps": want_tp},
                group=self.disposition(ctx, "AWS::EC2::Volume", v.id),
                tags=v.tags,
            )
