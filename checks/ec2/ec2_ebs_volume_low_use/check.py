"""Attached volumes that nobody reads or writes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from checks.config import CheckConfig
from checks.costs import volume_terms
from checks.metrics import ebs_io_queries
from checks.model import Check, ScanContext, days_between, load_meta
from checks.pricing import estimate
from checks.services.cloudwatch import CloudWatchService, MetricSeries
from checks.services.ec2 import EC2Service, Volume
from contracts.finding import Finding


@dataclass(frozen=True)
class Models:
    resources: list[Volume]
    io: dict[str, MetricSeries]


class Ec2EbsVolumeLowUse(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> Models:
        days = int(ctx.config.for_check(self.meta).get("lookback_days"))
        volumes = [v for v in ctx.service(EC2Service).volumes() if v.state == "in-use"]
        io = ctx.service(CloudWatchService).combined({v.id: ebs_io_queries(v.id) for v in volumes},
                                                     days)
        return Models(volumes, io)

    def evaluate(self, models: Models, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        days = cfg.get("lookback_days")
        limit = cfg.get("max_daily_ops")
        for v in models.resources:
            if v.state != "in-use" or days_between(v.create_time, ctx.now) < days:
                continue
            io = models.io.get(v.id)
            if io is None or not io.has_data:
                continue  # attached volumes always publish ops; no data = no evidence
            daily = io.total / days
            if daily >= limit:
                continue
            yield self.finding(
                ctx, cfg,
                resource_id=v.id,
                resource_name=v.name,
                title=f"EBS volume {v.id} averages {daily:.0f} ops/day",
                estimate=estimate(ctx.prices, ctx.region, volume_terms(v)),
                confidence=0.5,
                details={"avg_daily_ops": round(daily, 2), "lookback_days": days,
                         "attached_to": list(v.attached_instances)},
                group=self.disposition(ctx, "AWS::EC2::Volume", v.id),
                tags=v.tags,
            )
