from datetime import timedelta
from decimal import Decimal

import boto3

from checks.elb.elb_classic_load_balancer_idle.check import ElbClassicLoadBalancerIdle, Models
from checks.services.cloudwatch import MetricSeries, query
from checks.services.elb import LoadBalancer


def test_classic_without_instances_from_moto(aws, make_ctx, evaluate):
    elb = boto3.client("elb", region_name="us-east-1")
    elb.create_load_balancer(LoadBalancerName="clb1", AvailabilityZones=["us-east-1a"],
                             Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80,
                                         "InstancePort": 80}])
    ctx = make_ctx(now=make_ctx().now.replace(year=2099))
    check = ElbClassicLoadBalancerIdle()
    found = evaluate(check, check.collect(ctx), ctx)
    assert [f.resource_id for f in found] == ["clb1"]
    assert found[0].estimated_monthly_savings == Decimal("18.25")  # 730 x 0.025


def test_classic_with_healthy_instances_and_traffic_not_idle(make_ctx, evaluate):
    ctx = make_ctx()
    lb = LoadBalancer("c", "c", "classic", "active", ctx.now - timedelta(days=30), "c", 2, 2)
    q = query("AWS/ELB", "RequestCount", LoadBalancerName="c")
    assert evaluate(ElbClassicLoadBalancerIdle(), Models([lb], {"c": MetricSeries(q, (500.0,))}), ctx) == []
    few = evaluate(ElbClassicLoadBalancerIdle(), Models([lb], {"c": MetricSeries(q, (5.0,))}), ctx)
    assert "5 requests" in few[0].title
