"""Detailed (1-minute) monitoring bills every EC2 metric as a custom metric."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from checks.config import CheckConfig
from checks.model import Check, ScanContext, load_meta
from checks.pricing import Term, estimate
from checks.services.ec2 import EC2Service, Instance
from contracts.finding import Finding


class Ec2InstanceDetailedMonitoring(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> list[Instance]:
        return ctx.service(EC2Service).instances()

    def evaluate(self, models: list[Instance], cfg: CheckConfig,
                 ctx: ScanContext) -> Iterable[Finding]:
        metrics = int(cfg.get("metrics_per_instance"))
        for inst in models:
            if inst.state != "running" or not inst.detailed_monitoring:
                continue
            yield self.finding(
                ctx, cfg,
                resource_id=inst.id,
                resource_name=inst.name,
                title=f"EC2 instance {inst.id} has detailed monitoring enabled",
                estimate=estimate(ctx.prices, ctx.region, [
                    Term(Decimal(metrics), f"{metrics} metrics", "cloudwatch:metric:month")]),
                confidence=0.7,
                details={"instance_type": inst.type},
                group=f"{ctx.arn('AWS::EC2::Instance', inst.id)}#monitoring",
                tags=inst.tags,
            )
