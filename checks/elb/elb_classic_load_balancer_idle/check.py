"""Classic ELBs with no in-service instances or hardly any requests (Trusted Advisor rule)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from checks.config import CheckConfig
from checks.costs import hours_term
from checks.model import Check, ScanContext, days_between, load_meta
from checks.pricing import estimate
from checks.services.cloudwatch import CloudWatchService, MetricSeries, query
from checks.services.elb import ELBService, LoadBalancer
from contracts.finding import Finding


@dataclass(frozen=True)
class Models:
    resources: list[LoadBalancer]
    requests: dict[str, MetricSeries]


class ElbClassicLoadBalancerIdle(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> Models:
        days = int(ctx.config.for_check(self.meta).get("lookback_days"))
        lbs = ctx.service(ELBService).load_balancers()
        qs = {lb.name: query("AWS/ELB", "RequestCount", LoadBalancerName=lb.name) for lb in lbs}
        got = ctx.service(CloudWatchService).series(qs.values(), days)
        return Models(lbs, {n: got[q] for n, q in qs.items()})

    def evaluate(self, models: Models, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        days, limit = cfg.get("lookback_days"), cfg.get("max_requests")
        for lb in models.resources:
            if days_between(lb.created, ctx.now) < days:
                continue
            series = models.requests.get(lb.name)
            requests = series.total if series is not None else 0.0
            if lb.healthy_targets > 0 and requests >= limit:
                continue
            reason = "no in-service instances" if lb.healthy_targets <= 0 else \
                f"{requests:.0f} requests in {days} days"
            yield self.finding(
                ctx, cfg,
                resource_id=lb.name,
                resource_name=lb.name,
                title=f"Classic load balancer {lb.name}: {reason}",
                estimate=estimate(ctx.prices, ctx.region,
                                  [hours_term("elb:classic:hour", 1, "load balancer")]),
                confidence=0.85,
                details={"registered_instances": lb.registered_targets,
                         "in_service_instances": lb.healthy_targets, "requests": requests,
                         "target_instance_ids": list(lb.target_ids),
                         "lookback_days": days},
                group=self.disposition(ctx, self.meta.resource_type, lb.name),
            )
