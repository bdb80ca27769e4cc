"""Interface VPC endpoints that processed no bytes: each AZ's ENI bills by the hour anyway."""

from __future__ import annotations

from datetime import datetime

from checks.config import CheckConfig
from checks.costs import hours_term
from checks.idle import IdleByMetricCheck, Watched
from checks.model import ScanContext, load_meta
from checks.services.cloudwatch import MetricSeries
from checks.services.vpc import VpcEndpoint, VPCService
from contracts.finding import Finding

Models = Watched  # interface endpoints + daily Sum of BytesProcessed per endpoint


class Ec2VpcEndpointInterfaceIdle(IdleByMetricCheck):
    meta = load_meta(__file__)
    namespace, metric, stat = "AWS/PrivateLinkEndpoints", "BytesProcessed", "Sum"
    silent_is_idle = True  # PrivateLink publishes datapoints only for traffic

    def resources(self, ctx: ScanContext) -> list[VpcEndpoint]:
        return [e for e in ctx.service(VPCService).endpoints() if e.type == "Interface"]

    def dimension_sets(self, e: VpcEndpoint) -> list[dict[str, str]]:
        return [{"Endpoint Type": "Interface", "Service Name": e.service_name,
                 "VPC Endpoint Id": e.id, "VPC Id": e.vpc_id}]

    def judged(self, e: VpcEndpoint) -> datetime | None:
        return e.created if e.state == "available" else None

    def idle(self, ctx: ScanContext, cfg: CheckConfig, e: VpcEndpoint, series: MetricSeries,
             days: int) -> Finding:
        azs = max(1, len(e.subnet_ids))  # one ENI per subnet, at least one
        return self.idle_finding(
            ctx, cfg, e, name=e.tags.get("Name"),
            title=f"Interface endpoint {e.id} ({e.service_name}) processed no bytes in "
                  f"{days} days",
            terms=[hours_term("vpc:interface-endpoint:hour", azs, "AZ")],
            confidence=0.85 if series.has_data else 0.75,
            details={"service_name": e.service_name, "vpc_id": e.vpc_id, "azs": azs,
                     "lookback_days": days, "datapoints": len(series.values)})
