from datetime import timedelta
from decimal import Decimal

import boto3

from checks.ec2.ec2_vpc_endpoint_interface_idle.check import Ec2VpcEndpointInterfaceIdle, Models
from checks.services.cloudwatch import MetricSeries, query
from checks.services.vpc import VpcEndpoint

SVC = "com.amazonaws.us-east-1.ssm"
Q = query("AWS/PrivateLinkEndpoints", "BytesProcessed", "Sum", **{
    "Endpoint Type": "Interface", "Service Name": SVC, "VPC Endpoint Id": "vpce-1",
    "VPC Id": "vpc-1"})


def endpoint(now, days=60, state="available"):
    return VpcEndpoint("vpce-1", "Interface", SVC, "vpc-1", state, now - timedelta(days=days),
                       ("subnet-a", "subnet-b"))


def test_silent_endpoint_is_priced_per_az(make_ctx, evaluate):
    ctx = make_ctx()
    check = Ec2VpcEndpointInterfaceIdle()
    assert check.queries(endpoint(ctx.now)) == [Q]  # the full dimension set CloudWatch keys on
    silent = evaluate(check, Models([endpoint(ctx.now)], {"vpce-1": MetricSeries(Q, ())}), ctx)
    assert silent[0].estimated_monthly_savings == Decimal("14.60")  # 2 AZ x 730 h x $0.01
    assert silent[0].confidence == 0.75
    zeros = evaluate(check, Models([endpoint(ctx.now)], {"vpce-1": MetricSeries(Q, (0.0,) * 14)}),
                     ctx)
    assert zeros[0].confidence == 0.85


def test_endpoint_with_traffic_young_or_pending_is_not_idle(make_ctx, evaluate):
    ctx = make_ctx()
    check = Ec2VpcEndpointInterfaceIdle()
    assert evaluate(check, Models([endpoint(ctx.now)], {"vpce-1": MetricSeries(Q, (0.0, 5e3))}),
                    ctx) == []
    for e in (endpoint(ctx.now, days=3), endpoint(ctx.now, state="pendingacceptance")):
        assert evaluate(check, Models([e], {"vpce-1": MetricSeries(Q, ())}), ctx) == []


def test_collect_keeps_interface_endpoints_only(aws, make_ctx):
    ec2 = boto3.client("ec2", region_name="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    iface = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=SVC, VpcEndpointType="Interface",
                                    SubnetIds=[subnet])["VpcEndpoint"]["VpcEndpointId"]
    ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.s3",
                            VpcEndpointType="Gateway")
    models = Ec2VpcEndpointInterfaceIdle().collect(make_ctx())
    assert [(e.id, e.subnet_ids, e.vpc_id) for e in models.resources] == [(iface, (subnet,), vpc)]
