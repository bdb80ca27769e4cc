"""ALBs/NLBs that served no requests/flows in the window."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from checks.config import CheckConfig
from checks.costs import hours_term
from checks.model import Check, ScanContext, days_between, load_meta
from checks.pricing import estimate
from checks.services.cloudwatch import CloudWatchService, MetricQuery, MetricSeries, query
from checks.services.elb import ELBv2Service, LoadBalancer
from contracts.finding import Finding


@dataclass(frozen=True)
class Models:
    resources: list[LoadBalancer]
    traffic: dict[str, MetricSeries]  # by load balancer ARN


def traffic_query(lb: LoadBalancer) -> MetricQuery:
    if lb.kind == "network":
        return query("AWS/NetworkELB", "NewFlowCount", LoadBalancer=lb.dimension)
    return query("AWS/ApplicationELB", "RequestCount", LoadBalancer=lb.dimension)


class ElbLoadBalancerIdle(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> Models:
        days = int(ctx.config.for_check(self.meta).get("lookback_days"))
        lbs = [lb for lb in ctx.service(ELBv2Service).load_balancers()
               if lb.kind in ("application", "network")]
        qs = {lb.arn: traffic_query(lb) for lb in lbs}
        got = ctx.service(CloudWatchService).series(qs.values(), days)
        return Models(lbs, {arn: got[q] for arn, q in qs.items()})

    def evaluate(self, models: Models, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        days, limit = cfg.get("lookback_days"), cfg.get("max_requests")
        for lb in models.resources:
            if lb.state != "active" or days_between(lb.created, ctx.now) < days:
                continue
            series = models.traffic.get(lb.arn)
            if series is None:
                self.skip(ctx, lb.arn, "no traffic metrics collected")
                continue
            if series.total > limit:
                continue
            yield self.finding(
                ctx, cfg,
                resource_id=lb.arn,
                resource_name=lb.name,
                title=f"{lb.kind.capitalize()} load balancer {lb.name} served "
                      f"{series.total:.0f} requests in {days} days",
                estimate=estimate(ctx.prices, ctx.region,
                                  [hours_term(f"elb:{lb.kind}:hour", 1, "load balancer")]),
                confidence=0.85,
                details={"metric": series.query.metric, "total": series.total,
                         "lookback_days": days},
                group=self.disposition(ctx, self.meta.resource_type, lb.arn),
            )
