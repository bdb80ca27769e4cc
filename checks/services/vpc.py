"""VPC interface endpoints and Transit Gateway attachments: network plumbing billed per hour
(per AZ, per attachment) whether or not a byte crosses it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from checks.services.base import ServiceBase, cached, parse_items
from checks.services.ec2 import tags_of, utc


@dataclass(frozen=True)
class VpcEndpoint:
    id: str
    type: str  # Interface, Gateway, GatewayLoadBalancer, Resource, ServiceNetwork
    service_name: str
    vpc_id: str
    state: str
    created: datetime
    subnet_ids: tuple[str, ...]  # one ENI per subnet, each billed per hour
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TgwAttachment:
    id: str
    transit_gateway_id: str
    resource_type: str  # vpc, vpn, direct-connect-gateway, connect, peering, tgw-peering
    resource_id: str
    state: str
    created: datetime
    tgw_owner: str  # the account whose CloudWatch holds the attachment's metrics
    resource_owner: str = ""  # the VPC owner: AWS bills it the attachment-hours
    tags: dict[str, str] = field(default_factory=dict)


def _endpoint(raw: dict[str, Any]) -> VpcEndpoint:
    return VpcEndpoint(
        id=raw["VpcEndpointId"], type=raw["VpcEndpointType"], service_name=raw["ServiceName"],
        vpc_id=raw.get("VpcId", ""), state=str(raw.get("State", "")).lower(),
        created=utc(raw["CreationTimestamp"]), subnet_ids=tuple(raw.get("SubnetIds") or ()),
        tags=tags_of(raw))


def _attachment(raw: dict[str, Any]) -> TgwAttachment:
    return TgwAttachment(
        id=raw["TransitGatewayAttachmentId"], transit_gateway_id=raw["TransitGatewayId"],
        resource_type=raw["ResourceType"], resource_id=raw.get("ResourceId", ""),
        state=raw["State"], created=utc(raw["CreationTime"]),
        tgw_owner=str(raw.get("TransitGatewayOwnerId") or ""),
        resource_owner=str(raw.get("ResourceOwnerId") or ""), tags=tags_of(raw))


class VPCService(ServiceBase):
    name = "ec2"

    @cached
    def endpoints(self) -> list[VpcEndpoint]:
        raw = self.paginate("DescribeVpcEndpoints", "VpcEndpoints")
        return parse_items(self, "DescribeVpcEndpoints", raw, _endpoint,
                           lambda r: r["VpcEndpointId"])

    @cached
    def tgw_attachments(self) -> list[TgwAttachment]:
        raw = self.paginate("DescribeTransitGatewayAttachments", "TransitGatewayAttachments")
        return parse_items(self, "DescribeTransitGatewayAttachments", raw, _attachment,
                           lambda r: r["TransitGatewayAttachmentId"])
