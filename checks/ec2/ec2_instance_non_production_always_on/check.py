"""Development and test instances running nights and weekends."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from checks.config import CheckConfig
from checks.costs import instance_key
from checks.environment import is_non_production
from checks.model import Check, ScanContext, days_between, load_meta
from checks.pricing import HOURS_PER_MONTH, Term, estimate
from checks.services.ec2 import EC2Service, Instance
from contracts.finding import Finding

WEEKS_PER_MONTH = Decimal(52) / Decimal(12)


class Ec2InstanceNonProductionAlwaysOn(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> list[Instance]:
        return ctx.service(EC2Service).instances()

    def evaluate(self, models: list[Instance], cfg: CheckConfig,
                 ctx: ScanContext) -> Iterable[Finding]:
        business = Decimal(cfg.get("business_hours_per_week")) * WEEKS_PER_MONTH
        off_hours = (HOURS_PER_MONTH - business).quantize(Decimal("0.1"))
        for inst in models:
            if inst.state != "running" or inst.lifecycle != "on-demand":
                continue
            env = is_non_production(inst.tags, cfg.get("environment_tag_keys"),
                                    cfg.get("non_production_values"))
            if env is None:
                continue
            # LaunchTime resets on every start: a long uptime means nobody stops it at night
            uptime = days_between(inst.launch_time, ctx.now)
            if uptime < cfg.get("min_running_days"):
                continue
            yield self.finding(
                ctx, cfg,
                resource_id=inst.id,
                resource_name=inst.name,
                title=f"EC2 instance {inst.id} ({env}, {inst.type}) has run {uptime:.0f} days "
                      "without a stop",
                estimate=estimate(ctx.prices, ctx.region, [
                    Term(off_hours, f"{off_hours} off-hours (730 - "
                                    f"{cfg.get('business_hours_per_week')} h/week x 52/12)",
                         instance_key(inst.type, inst.platform))]),
                confidence=0.6,
                details={"environment": env, "uptime_days": round(uptime, 1),
                         "instance_type": inst.type},
                group=f"{ctx.arn('AWS::EC2::Instance', inst.id)}#billing-model",  # vs commitment
                tags=inst.tags,
            )
