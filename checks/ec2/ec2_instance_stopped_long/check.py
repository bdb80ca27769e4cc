"""Instances stopped for weeks: forgotten, and still holding addresses and volumes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from checks.config import CheckConfig
from checks.costs import hours_term
from checks.model import Check, ScanContext, days_between, load_meta
from checks.pricing import estimate, fixed
from checks.services.ec2 import Address, EC2Service, Instance
from contracts.finding import Finding


@dataclass(frozen=True)
class Models:
    resources: list[Instance]
    addresses: list[Address]


class Ec2InstanceStoppedLong(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> Models:
        ec2 = ctx.service(EC2Service)
        return Models(ec2.instances(), ec2.addresses())

    def evaluate(self, models: Models, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        max_days = cfg.get("max_stopped_days")
        for inst in models.resources:
            if inst.state != "stopped":
                continue
            if inst.stopped_since is None:
                self.skip(ctx, inst.id, "stopped instance without a stop time in "
                          "StateTransitionReason")
                continue
            days = days_between(inst.stopped_since, ctx.now)
            if days <= max_days:
                continue
            eips = [a for a in models.addresses if a.instance_id == inst.id]
            if eips:
                est = estimate(ctx.prices, ctx.region,
                               [hours_term("ec2:public-ipv4:hour", len(eips), "addresses")])
            else:
                est = fixed(Decimal(0), "stopped: no compute charge and no Elastic IP; attached "
                            "volumes are priced by ec2_ebs_volume_on_stopped_instance")
            yield self.finding(
                ctx, cfg,
                resource_id=inst.id,
                resource_name=inst.name,
                title=f"EC2 instance {inst.id} ({inst.type}) stopped for {days:.0f} days",
                estimate=est,
                confidence=0.8,
                details={"stopped_days": round(days, 1), "instance_type": inst.type,
                         "elastic_ips": [a.public_ip for a in eips],
                         "volumes": list(inst.volume_ids), "vpc_id": inst.vpc_id},
                group=self.disposition(ctx, "AWS::EC2::Instance", inst.id),
                tags=inst.tags,
            )
