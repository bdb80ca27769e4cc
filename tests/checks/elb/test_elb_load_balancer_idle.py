from datetime import timedelta
from decimal import Decimal

from checks.elb.elb_load_balancer_idle.check import ElbLoadBalancerIdle, Models, traffic_query
from checks.services.cloudwatch import MetricSeries
from checks.services.elb import LoadBalancer

ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/n1/abc"


def nlb(now):
    return LoadBalancer(ARN, "n1", "network", "active", now - timedelta(days=60), "net/n1/abc", 2, 2)


def test_nlb_without_flows_is_idle(make_ctx, evaluate):
    ctx = make_ctx()
    lb = nlb(ctx.now)
    assert traffic_query(lb).metric == "NewFlowCount"
    found = evaluate(ElbLoadBalancerIdle(), Models([lb], {ARN: MetricSeries(traffic_query(lb), ())}), ctx)
    assert found[0].estimated_monthly_savings == Decimal("16.42")
    assert found[0].details["metric"] == "NewFlowCount"


def test_nlb_with_flows_is_not(make_ctx, evaluate):
    ctx = make_ctx()
    lb = nlb(ctx.now)
    models = Models([lb], {ARN: MetricSeries(traffic_query(lb), (3.0, 0.0))})
    assert evaluate(ElbLoadBalancerIdle(), models, ctx) == []
