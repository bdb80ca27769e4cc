"""Instances stopped for weeks: forgotten, and still holding addresses and volumes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from checks.aged import Old, OldByAgeCheck
from checks.config import CheckConfig
from checks.costs import hours_term
from checks.model import ScanContext, load_meta
from checks.pricing import estimate, fixed
from checks.services.ec2 import Address, EC2Service, Instance


@dataclass(frozen=True)
class Models:
    resources: list[Instance]
    addresses: list[Address]


class Ec2InstanceStoppedLong(OldByAgeCheck):
    meta = load_meta(__file__)
    threshold = "max_stopped_days"

    def collect(self, ctx: ScanContext) -> Models:
        ec2 = ctx.service(EC2Service)
        return Models(ec2.instances(), ec2.addresses())

    def candidates(self, models: Models, cfg: CheckConfig) -> Iterable[Instance]:
        return [i for i in models.resources if i.state == "stopped"]

    def since(self, ctx: ScanContext, inst: Instance, models: Models) -> datetime | None:
        if inst.stopped_since is None:
            self.skip(ctx, inst.id, "stopped instance without a stop time in "
                      "StateTransitionReason")
        return inst.stopped_since

    def old(self, ctx: ScanContext, cfg: CheckConfig, inst: Instance, days: float,
            models: Models) -> Old:
        eips = [a for a in models.addresses if a.instance_id == inst.id]
        if eips:
            est = estimate(ctx.prices, ctx.region,
                           [hours_term("ec2:public-ipv4:hour", len(eips), "addresses")])
        else:
            est = fixed(Decimal(0), "stopped: no compute charge and no Elastic IP; attached "
                        "volumes are priced by ec2_ebs_volume_on_stopped_instance")
        return Old(inst.id, f"EC2 instance {inst.id} ({inst.type}) stopped for {days:.0f} days",
                   est, 0.8,
                   {"stopped_days": round(days, 1), "instance_type": inst.type,
                    "elastic_ips": [a.public_ip for a in eips],
                    "volumes": list(inst.volume_ids), "vpc_id": inst.vpc_id},
                   name=inst.name, tags=inst.tags)
