"""Unattached EBS volumes: full storage and performance cost, nothing gained."""

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
    io: dict[str, MetricSeries]  # volume id -> read+write op series in the window


class Ec2EbsVolumeUnattached(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> Models:
        volumes = ctx.service(EC2Service).volumes()
        days = int(ctx.config.for_check(self.meta).get("min_unattached_days"))
        available = [v for v in volumes if v.state == "available"]
        io = ctx.service(CloudWatchService).combined({v.id: ebs_io_queries(v.id) for v in available},
                                                     days)
        return Models(volumes, io)

    def evaluate(self, models: Models, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        min_days = cfg.get("min_unattached_days")
        for v in models.resources:
            if v.state != "available" or v.attached_instances:
                continue
            age = days_between(v.create_time, ctx.now)
            if age < min_days:
                continue
            io = models.io.get(v.id)
            if io is not None and io.has_data:
                continue  # datapoints mean it was attached within the window
            est = estimate(ctx.prices, ctx.region, volume_terms(v))
            yield self.finding(
                ctx, cfg,
                resource_id=v.id,
                resource_name=v.name,
                title=f"EBS volume {v.id} ({v.size_gib} GiB {v.type}) unattached",
                estimate=est,
                confidence=0.9 if io is not None else 0.7,
                details={"volume_type": v.type, "size_gib": v.size_gib,
                         "age_days": round(age, 1), "state": v.state},
                group=self.disposition(ctx, "AWS::EC2::Volume", v.id),
                tags=v.tags,
            )
