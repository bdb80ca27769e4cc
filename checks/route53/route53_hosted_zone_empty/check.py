"""Hosted zones holding only the SOA and NS records AWS creates: billed monthly, answering
nothing anyone asked Route 53 to serve."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from checks.config import CheckConfig
from checks.model import Check, ScanContext, load_meta
from checks.pricing import Term, estimate
from checks.services.route53 import GLOBAL_REGION, HostedZone, Route53Service
from contracts.finding import Finding

DEFAULT_RECORDS = 2  # SOA + NS, created with the zone


class Route53HostedZoneEmpty(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> list[HostedZone]:
        if ctx.region != GLOBAL_REGION:
            return []  # global: one scan judges the zones, not one per region
        return ctx.service(Route53Service).hosted_zones()

    def evaluate(self, models: list[HostedZone], cfg: CheckConfig,
                 ctx: ScanContext) -> Iterable[Finding]:
        for z in models:
            if z.record_sets > DEFAULT_RECORDS:
                continue
            yield self.finding(
                ctx, cfg,
                resource_id=z.id,
                resource_name=z.name,
                title=f"Route 53 {'private' if z.private else 'public'} hosted zone {z.name} "
                      f"has no records besides SOA and NS",
                estimate=estimate(ctx.prices, ctx.region, [
                    Term(Decimal(1), "1 hosted zone", "route53:hosted-zone:month")],
                    note="first 25 zones of an account"),
                confidence=0.7,
                details={"record_sets": z.record_sets, "private": z.private},
                group=self.disposition(ctx, self.meta.resource_type, z.id),
            )
