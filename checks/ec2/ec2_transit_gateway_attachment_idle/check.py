"""Transit Gateway attachments that carried no bytes: billed per attachment-hour anyway."""

from __future__ import annotations

from datetime import datetime

from checks.config import CheckConfig
from checks.costs import hours_term
from checks.idle import IdleByMetricCheck, Watched
from checks.model import ScanContext, load_meta
from checks.services.cloudwatch import MetricSeries
from checks.services.vpc import TgwAttachment, VPCService
from contracts.finding import Finding

Models = Watched  # attachments + daily Sum of BytesIn + BytesOut per attachment
PRICED_AS = {"tgw-peering": "peering"}  # API resource type -> price key part


class Ec2TransitGatewayAttachmentIdle(IdleByMetricCheck):
    meta = load_meta(__file__)
    namespace, metrics, stat = "AWS/TransitGateway", ("BytesIn", "BytesOut"), "Sum"
    silent_is_idle = True  # per-attachment datapoints are published only for traffic

    def resources(self, ctx: ScanContext) -> list[TgwAttachment]:
        """Only attachments of this account's gateways: their metrics live in its CloudWatch."""
        return [a for a in ctx.service(VPCService).tgw_attachments()
                if a.tgw_owner in ("", ctx.account_id)]

    def dimension_sets(self, a: TgwAttachment) -> list[dict[str, str]]:
        return [{"TransitGateway": a.transit_gateway_id, "TransitGatewayAttachment": a.id}]

    def judged(self, a: TgwAttachment) -> datetime | None:
        return a.created if a.state == "available" else None

    def idle(self, ctx: ScanContext, cfg: CheckConfig, a: TgwAttachment, series: MetricSeries,
             days: int) -> Finding:
        kind = PRICED_AS.get(a.resource_type, a.resource_type)
        billed_to = a.resource_owner or ctx.account_id  # AWS bills the VPC owner the hours
        return self.idle_finding(
            ctx, cfg, a, name=a.tags.get("Name"),
            title=f"Transit Gateway {a.resource_type} attachment {a.id} carried no bytes in "
                  f"{days} days",
            terms=[hours_term(f"vpc:tgw-attachment-{kind}:hour", 1, "attachment")],
            confidence=(0.85 if series.has_data else 0.75) if billed_to == ctx.account_id
            else 0.6,  # the saving lands on another account's bill
            details={"transit_gateway_id": a.transit_gateway_id, "attached": a.resource_id,
                     "billed_to": billed_to,
                     "attachment_type": a.resource_type, "lookback_days": days,
                     "datapoints": len(series.values)})
