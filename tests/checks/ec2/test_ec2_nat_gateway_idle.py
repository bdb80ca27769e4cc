from datetime import timedelta
from decimal import Decimal

from checks.ec2.ec2_nat_gateway_idle.check import Ec2NatGatewayIdle, Models
from checks.services.cloudwatch import MetricSeries, query
from checks.services.ec2 import NatGateway

Q = query("AWS/NATGateway", "BytesOutToDestination", NatGatewayId="nat-1")


def nat(now):
    return NatGateway("nat-1", "available", now - timedelta(days=100), "vpc-1")


def test_idle_nat_gateway_is_priced(make_ctx, evaluate):
    ctx = make_ctx()
    found = evaluate(Ec2NatGatewayIdle(), Models([nat(ctx.now)], {"nat-1": MetricSeries(Q, (0.0,) * 14)}), ctx)
    assert found[0].estimated_monthly_savings == Decimal("32.85")  # 730 x 0.045
    assert found[0].confidence == 0.9


def test_busy_nat_gateway_is_not(make_ctx, evaluate):
    ctx = make_ctx()
    models = Models([nat(ctx.now)], {"nat-1": MetricSeries(Q, (0.0, 1e6))})
    assert evaluate(Ec2NatGatewayIdle(), models, ctx) == []


def test_details_count_instances_in_the_vpc_for_correlation(make_ctx, evaluate):
    from checks.services.ec2 import Instance

    ctx = make_ctx()

    def inst(iid, state, vpc):
        return Instance(id=iid, type="t3.micro", state=state, launch_time=ctx.now,
                        platform="linux/unix", architecture="x86_64", lifecycle="on-demand",
                        az="us-east-1a", vpc_id=vpc)

    models = Models([nat(ctx.now)], {"nat-1": MetricSeries(Q, (0.0,))},
                    [inst("i-1", "stopped", "vpc-1"), inst("i-2", "running", "vpc-2")])
    [f] = evaluate(Ec2NatGatewayIdle(), models, ctx)
    assert f.details["vpc_instance_count"] == 1 and f.details["vpc_running_instances"] == 0
