"""NAT gateways that moved no bytes: the hourly charge buys nothing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from checks.config import CheckConfig
from checks.costs import hours_term
from checks.model import Check, ScanContext, days_between, load_meta
from checks.pricing import estimate
from checks.services.cloudwatch import CloudWatchService, MetricSeries, query
from checks.services.ec2 import EC2Service, Instance, NatGateway
from contracts.finding import Finding

METRICS = ("BytesOutToDestination", "BytesInFromSource")


@dataclass(frozen=True)
class Models:
    resources: list[NatGateway]
    traffic: dict[str, MetricSeries]
    instances: list[Instance] = field(default_factory=list)


class Ec2NatGatewayIdle(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> Models:
        days = int(ctx.config.for_check(self.meta).get("lookback_days"))
        ec2 = ctx.service(EC2Service)
        nats = ec2.nat_gateways()
        per = {n.id: [query("AWS/NATGateway", m, NatGatewayId=n.id) for m in METRICS]
               for n in nats}
        return Models(nats, ctx.service(CloudWatchService).combined(per, days), ec2.instances())

    def evaluate(self, models: Models, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        days = cfg.get("lookback_days")
        for nat in models.resources:
            if nat.state != "available" or days_between(nat.create_time, ctx.now) < days:
                continue
            traffic = models.traffic.get(nat.id)
            if traffic is None:
                self.skip(ctx, nat.id, "no traffic metrics collected")
                continue
            if traffic.total > 0:
                continue
            yield self.finding(
                ctx, cfg,
                resource_id=nat.id,
                resource_name=nat.tags.get("Name"),
                title=f"NAT gateway {nat.id} moved no bytes in {days} days",
                estimate=estimate(ctx.prices, ctx.region,
                                  [hours_term("vpc:nat-gateway:hour", 1, "gateway")]),
                # NAT gateways publish zeros while idle; no datapoints at all is weaker evidence
                confidence=0.9 if traffic.has_data else 0.7,
                details={"lookback_days": days, "bytes": traffic.total, "vpc_id": nat.vpc_id,
                         "datapoints": len(traffic.values),
                         "vpc_instance_count": sum(i.vpc_id == nat.vpc_id
                                                   for i in models.instances),
                         "vpc_running_instances": sum(i.vpc_id == nat.vpc_id and
                                                      i.state == "running"
                                                      for i in models.instances)},
                group=self.disposition(ctx, "AWS::EC2::NatGateway", nat.id),
                tags=nat.tags,
            )
