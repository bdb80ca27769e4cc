from datetime import timedelta
from decimal import Decimal

from checks.ec2.ec2_instance_low_utilization.check import Ec2InstanceLowUtilization, Models
from checks.services.cloudwatch import MetricSeries, query
from checks.services.ec2 import Instance

CPU = query("AWS/EC2", "CPUUtilization", "Average", InstanceId="i-1")
NET = query("AWS/EC2", "NetworkIn", InstanceId="i-1")


def inst(now, itype="m5.xlarge"):
    return Instance(id="i-1", type=itype, state="running", launch_time=now - timedelta(days=90),
                    platform="linux/unix", architecture="x86_64", lifecycle="on-demand",
                    az="us-east-1a")


def series(now, q, values):
    stamps = tuple(now - timedelta(days=14 - i) for i in range(len(values)))
    return MetricSeries(q, tuple(values), stamps)


def test_idle_instance_downsized_one_size(make_ctx, evaluate):
    ctx = make_ctx()
    models = Models([inst(ctx.now)], {"i-1": series(ctx.now, CPU, [2.0] * 14)},
                    {"i-1": series(ctx.now, NET, [1e6] * 14)})
    found = evaluate(Ec2InstanceLowUtilization(), models, ctx)
    # (0.192 - 0.096) x 730
    assert found[0].estimated_monthly_savings == Decimal("70.08")
    assert found[0].details["low_days"] == 14 and found[0].confidence == 0.7
    assert "m5.large" in found[0].title
    assert found[0].details["current_monthly_cost"] == "140.16"


def test_few_quiet_days_give_lower_confidence(make_ctx, evaluate):
    ctx = make_ctx()
    cpu = [2.0] * 7 + [60.0] * 7
    models = Models([inst(ctx.now)], {"i-1": series(ctx.now, CPU, cpu)},
                    {"i-1": series(ctx.now, NET, [1e6] * 14)})
    [f] = evaluate(Ec2InstanceLowUtilization(), models, ctx)
    assert f.details["low_days"] == 7 and f.confidence == 0.55


def test_busy_instance_not_flagged(make_ctx, evaluate):
    ctx = make_ctx()
    # 3 quiet days only (< 4), and network heavy on the others
    cpu = [2.0] * 3 + [60.0] * 11
    models = Models([inst(ctx.now)], {"i-1": series(ctx.now, CPU, cpu)},
                    {"i-1": series(ctx.now, NET, [1e6] * 14)})
    assert evaluate(Ec2InstanceLowUtilization(), models, ctx) == []


def test_unknown_instance_type_is_skipped_with_error(make_ctx, evaluate):
    ctx = make_ctx()
    models = Models([inst(ctx.now, "weird")], {"i-1": series(ctx.now, CPU, [1.0] * 14)},
                    {"i-1": series(ctx.now, NET, [0.0] * 14)})
    assert evaluate(Ec2InstanceLowUtilization(), models, ctx) == []
    assert ctx.errors and "unrecognised instance type" in ctx.errors[0].message
