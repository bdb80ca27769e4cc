from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import boto3

from checks.ec2.ec2_transit_gateway_attachment_idle.check import (
    Ec2TransitGatewayAttachmentIdle,
    Models,
)
from checks.services.cloudwatch import MetricSeries, query
from checks.services.vpc import TgwAttachment

DIMS = {"TransitGateway": "tgw-1", "TransitGatewayAttachment": "tgw-attach-1"}
IN = query("AWS/TransitGateway", "BytesIn", "Sum", **DIMS)


def attachment(now, kind="vpc", state="available"):
    return TgwAttachment("tgw-attach-1", "tgw-1", kind, "vpc-1", state,
                         now - timedelta(days=90), "123456789012")


def test_attachment_without_bytes_is_priced_by_type(make_ctx, evaluate):
    ctx = make_ctx()
    check = Ec2TransitGatewayAttachmentIdle()
    assert [q.metric for q in check.queries(attachment(ctx.now))] == ["BytesIn", "BytesOut"]
    found = evaluate(check, Models([attachment(ctx.now)], {"tgw-attach-1": MetricSeries(IN, ())}),
                     ctx)
    assert found[0].estimated_monthly_savings == Decimal("36.50")  # 730 h x $0.05
    peering = evaluate(check, Models([attachment(ctx.now, "tgw-peering")],
                                     {"tgw-attach-1": MetricSeries(IN, (0.0,))}), ctx)
    assert peering[0].details["prices"] == {
        "vpc:tgw-attachment-peering:hour": "0.05 USD/hour"}
    assert found[0].details["billed_to"] == "123456789012" and found[0].confidence == 0.75


def test_attachment_of_another_accounts_vpc_names_who_pays(make_ctx, evaluate):
    ctx = make_ctx()
    theirs = replace(attachment(ctx.now), resource_owner="210987654321")
    found = evaluate(Ec2TransitGatewayAttachmentIdle(),
                     Models([theirs], {"tgw-attach-1": MetricSeries(IN, (0.0,) * 14)}), ctx)
    assert found[0].details["billed_to"] == "210987654321" and found[0].confidence == 0.6


def test_attachment_with_traffic_or_not_available_is_not_idle(make_ctx, evaluate):
    ctx = make_ctx()
    check = Ec2TransitGatewayAttachmentIdle()
    busy = {"tgw-attach-1": MetricSeries(IN, (0.0, 1e9))}
    assert evaluate(check, Models([attachment(ctx.now)], busy), ctx) == []
    assert evaluate(check, Models([attachment(ctx.now, state="pendingAcceptance")],
                                  {"tgw-attach-1": MetricSeries(IN, ())}), ctx) == []


def test_collect_skips_attachments_of_another_accounts_gateway(aws, make_ctx):
    ec2 = boto3.client("ec2", region_name="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    tgw = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    att = ec2.create_transit_gateway_vpc_attachment(
        TransitGatewayId=tgw, VpcId=vpc, SubnetIds=[subnet])["TransitGatewayVpcAttachment"]
    mine = Ec2TransitGatewayAttachmentIdle().collect(make_ctx())
    assert [(a.id, a.transit_gateway_id, a.resource_type, a.resource_owner)
            for a in mine.resources] == [(att["TransitGatewayAttachmentId"], tgw, "vpc",
                                          "123456789012")]
    other = make_ctx()
    other.account_id = "210987654321"
    assert Ec2TransitGatewayAttachmentIdle().resources(other) == []
