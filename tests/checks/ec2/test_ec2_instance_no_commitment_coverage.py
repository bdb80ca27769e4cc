from datetime import timedelta
from decimal import Decimal

from checks.ec2.ec2_instance_no_commitment_coverage.check import (
    Ec2InstanceNoCommitmentCoverage,
    Models,
)
from checks.services.ec2 import Instance, ReservedInstance
from checks.services.savingsplans import SavingsPlan


def inst(now, iid, days, lifecycle="on-demand"):
    return Instance(id=iid, type="m5.large", state="running",
                    launch_time=now - timedelta(days=days), platform="linux/unix",
                    architecture="x86_64", lifecycle=lifecycle, az="us-east-1a")


def ri(now, count):
    return ReservedInstance("ri-1", "m5.large", count, "active", now - timedelta(days=10),
                            now + timedelta(days=300), 31536000, Decimal(0), Decimal("0.06"),
                            Decimal(0), "Linux/UNIX", "Region", None, "No Upfront")


def test_uncovered_long_running_instances(make_ctx, evaluate):
    ctx = make_ctx()
    models = Models([inst(ctx.now, "i-old", 200), inst(ctx.now, "i-older", 300),
                     inst(ctx.now, "i-new", 5), inst(ctx.now, "i-spot", 300, "spot")],
                    [ri(ctx.now, 1)], [])
    found = evaluate(Ec2InstanceNoCommitmentCoverage(), models, ctx)
    # the oldest instance takes the one RI; i-old is uncovered
    assert [f.resource_id for f in found] == ["i-old"]
    assert found[0].estimated_monthly_savings == Decimal("21.02")  # 730 x 0.096 x 0.3
    assert found[0].confidence == 0.6


def test_active_savings_plan_suppresses(make_ctx, evaluate):
    ctx = make_ctx()
    plan = SavingsPlan("sp-1", "Compute", "active", None, None, "1.0")
    models = Models([inst(ctx.now, "i-old", 200)], [], [plan])
    assert evaluate(Ec2InstanceNoCommitmentCoverage(), models, ctx) == []


def test_unreadable_savings_plans_lower_confidence(make_ctx, evaluate):
    ctx = make_ctx()
    found = evaluate(Ec2InstanceNoCommitmentCoverage(),
                     Models([inst(ctx.now, "i-old", 200)], [], None), ctx)
    assert found[0].confidence == 0.3


def test_regional_linux_ri_is_size_flexible(make_ctx, evaluate):
    ctx = make_ctx()
    big = ReservedInstance("ri-2", "m5.xlarge", 1, "active", ctx.now - timedelta(days=10),
                           ctx.now + timedelta(days=300), 31536000, Decimal(0), Decimal("0.12"),
                           Decimal(0), "Linux/UNIX", "Region", None, "No Upfront")
    # one m5.xlarge RI = 8 units covers two m5.large (4 units each) but not a third
    insts = [inst(ctx.now, f"i-{n}", 300 - n) for n in range(3)]
    found = evaluate(Ec2InstanceNoCommitmentCoverage(), Models(insts, [big], []), ctx)
    assert [f.resource_id for f in found] == ["i-2"]


def test_partially_covered_instance_priced_on_the_rest(make_ctx, evaluate):
    ctx = make_ctx()
    small = ReservedInstance("ri-3", "m5.medium", 1, "active", ctx.now - timedelta(days=10),
                             ctx.now + timedelta(days=300), 31536000, Decimal(0), Decimal("0.03"),
                             Decimal(0), "Linux/UNIX", "Region", None, "No Upfront")
    found = evaluate(Ec2InstanceNoCommitmentCoverage(),
                     Models([inst(ctx.now, "i-1", 100)], [small], []), ctx)
    assert found[0].details["ri_covered_share"] == 0.5
    assert found[0].estimated_monthly_savings == Decimal("10.51")  # half of 21.02


def test_unreadable_reservations_still_report_at_low_confidence(aws, make_ctx, evaluate):
    import boto3

    ec2 = boto3.client("ec2", region_name="us-east-1")
    ami = "ami-12345678"  # any id: moto runs unknown AMIs
    ec2.run_instances(ImageId=ami, MinCount=1, MaxCount=1, InstanceType="m5.large")
    ctx = make_ctx(now=make_ctx().now.replace(year=2099))
    check = Ec2InstanceNoCommitmentCoverage()
    models = check.collect(ctx)  # moto implements neither DescribeReservedInstances nor plans
    assert models.reserved is None and models.savings_plans is None
    assert {e.operation for e in ctx.errors} == {"DescribeReservedInstances",
                                                 "DescribeSavingsPlans"}
    found = evaluate(check, models, ctx)
    assert len(found) == 1 and found[0].confidence == 0.3
