"""Reservations about to lapse: the covered usage silently reverts to on-demand rates."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from checks.config import CheckConfig
from checks.costs import hours_term, instance_key
from checks.model import Check, ScanContext, days_between, load_meta
from checks.pricing import HOURS_PER_MONTH, Term, estimate
from checks.services.ec2 import EC2Service, ReservedInstance
from contracts.finding import Finding


class Ec2ReservedInstanceExpiring(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> list[ReservedInstance]:
        return ctx.service(EC2Service).reserved_instances()

    def evaluate(self, models: list[ReservedInstance], cfg: CheckConfig,
                 ctx: ScanContext) -> Iterable[Finding]:
        window = cfg.get("expiry_window_days")
        for ri in models:
            if ri.state != "active":
                continue
            left = days_between(ctx.now, ri.end)
            if left < 0 or left > window:
                continue
            platform = "windows" if "windows" in ri.product.lower() else "linux"
            od = hours_term(instance_key(ri.instance_type, platform), ri.count, ri.instance_type)
            rate = ri.effective_hourly.quantize(Decimal("0.000001"))
            reserved = Term(ri.count * HOURS_PER_MONTH, f"{ri.count} x 730 h", "ri:effective:hour",
                            sign=-1, price=rate, price_source="DescribeReservedInstances")
            est = estimate(ctx.prices, ctx.region, [od, reserved], note="kept by renewing")
            if est.amount is not None and est.amount <= 0:
                continue  # the reservation is no cheaper than on-demand: nothing to keep
            yield self.finding(
                ctx, cfg,
                resource_id=ri.id,
                title=f"Reserved Instance {ri.id} ({ri.count} x {ri.instance_type}) expires in "
                      f"{left:.0f} days",
                estimate=est,
                confidence=0.7,
                details={"days_left": round(left, 1), "end": ri.end.isoformat(),
                         "instance_type": ri.instance_type, "count": ri.count,
                         "effective_hourly": str(rate), "offering_type": ri.offering_type},
                group=f"{ctx.arn('AWS::EC2::ReservedInstances', ri.id)}#renewal",
            )
