"""ALBs/NLBs with nothing healthy behind them."""

from __future__ import annotations

from collections.abc import Iterable

from checks.config import CheckConfig
from checks.costs import hours_term
from checks.model import Check, ScanContext, days_between, load_meta
from checks.pricing import estimate
from checks.services.elb import ELBv2Service, LoadBalancer
from contracts.finding import Finding


class ElbLoadBalancerNoTargets(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> list[LoadBalancer]:
        return ctx.service(ELBv2Service).load_balancers()

    def evaluate(self, models: list[LoadBalancer], cfg: CheckConfig,
                 ctx: ScanContext) -> Iterable[Finding]:
        for lb in models:
            if lb.kind not in ("application", "network") or lb.state != "active":
                continue
            if lb.healthy_targets > 0 or days_between(lb.created, ctx.now) < cfg.get("min_age_days"):
                continue
            what = "no registered targets" if lb.registered_targets == 0 else \
                f"0 healthy of {lb.registered_targets} targets"
            yield self.finding(
                ctx, cfg,
                resource_id=lb.arn,
                resource_name=lb.name,
                title=f"{lb.kind.capitalize()} load balancer {lb.name} has {what}",
                estimate=estimate(ctx.prices, ctx.region,
                                  [hours_term(f"elb:{lb.kind}:hour", 1, "load balancer")]),
                confidence=0.85 if lb.registered_targets == 0 else 0.6,
                details={"type": lb.kind, "registered_targets": lb.registered_targets,
                         "healthy_targets": lb.healthy_targets,
                         "target_instance_ids": list(lb.target_ids)},
                group=self.disposition(ctx, self.meta.resource_type, lb.arn),
            )
