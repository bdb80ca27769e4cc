"""x86 Linux instances with a Graviton twin of the same shape, ~20% cheaper."""

from __future__ import annotations

from collections.abc import Iterable

from checks.config import CheckConfig
from checks.costs import instance_key
from checks.families import GRAVITON, successor
from checks.model import Check, ScanContext, load_meta
from checks.modernize import switch_estimate
from checks.pricing import monthly_cost
from checks.services.ec2 import EC2Service, Instance
from contracts.finding import Finding


class Ec2InstanceGravitonCandidate(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> list[Instance]:
        return ctx.service(EC2Service).instances()

    def evaluate(self, models: list[Instance], cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        for inst in models:
            if inst.state != "running" or inst.is_windows or inst.architecture != "x86_64":
                continue
            try:
                target = successor(inst.type, GRAVITON)
            except ValueError as exc:
                self.skip(ctx, inst.id, str(exc))
                continue
            if target is None:
                continue
            est = switch_estimate(ctx, inst.type, target, instance_key)
            if est.amount is not None and est.amount <= 0:
                continue
            yield self.finding(
                ctx, cfg,
                resource_id=inst.id,
                resource_name=inst.name,
                title=f"EC2 instance {inst.id} ({inst.type}) could run on Graviton {target}",
                estimate=est,
                confidence=0.5,
                details={"instance_type": inst.type, "recommended_type": target,
                         "platform": inst.platform,
                         "current_monthly_cost": monthly_cost(ctx.prices, ctx.region,
                                                              instance_key(inst.type))},
                group=self.disposition(ctx, "AWS::EC2::Instance", inst.id),
                tags=inst.tags,
            )
