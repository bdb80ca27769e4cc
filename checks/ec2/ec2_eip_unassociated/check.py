"""Elastic IPs attached to nothing: $3.65 a month each for an address nobody uses."""

from __future__ import annotations

from collections.abc import Iterable

from checks.config import CheckConfig
from checks.costs import hours_term
from checks.model import Check, ScanContext, load_meta
from checks.pricing import estimate
from checks.services.ec2 import Address, EC2Service
from contracts.finding import Finding


class Ec2EipUnassociated(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> list[Address]:
        return ctx.service(EC2Service).addresses()

    def evaluate(self, models: list[Address], cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        for a in models:
            if a.association_id or a.instance_id or a.network_interface_id:
                continue
            yield self.finding(
                ctx, cfg,
                resource_id=a.allocation_id,
                resource_name=a.tags.get("Name") or a.public_ip,
                title=f"Elastic IP {a.public_ip} is not associated",
                estimate=estimate(ctx.prices, ctx.region,
                                  [hours_term("ec2:public-ipv4:hour", 1, "address")]),
                confidence=0.95,
                details={"public_ip": a.public_ip},
                group=self.disposition(ctx, "AWS::EC2::EIP", a.allocation_id),
                tags=a.tags,
            )
