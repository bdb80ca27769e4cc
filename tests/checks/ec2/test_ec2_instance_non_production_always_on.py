from datetime import timedelta
from decimal import Decimal

from checks.ec2.ec2_instance_non_production_always_on.check import (
    Ec2InstanceNonProductionAlwaysOn,
)
from checks.services.ec2 import Instance


def inst(now, iid, tags, days=30, state="running"):
    return Instance(id=iid, type="m5.large", state=state, launch_time=now - timedelta(days=days),
                    platform="linux/unix", architecture="x86_64", lifecycle="on-demand",
                    az="us-east-1a", tags=tags)


def test_dev_instance_running_for_weeks_priced_for_off_hours(make_ctx, evaluate):
    ctx = make_ctx()
    found = evaluate(Ec2InstanceNonProductionAlwaysOn(), [inst(ctx.now, "i-1", {"environment": "dev"})], ctx)
    # off-hours = 730 - 50 x 52/12 = 513.3 h; x $0.096
    assert found[0].estimated_monthly_savings == Decimal("49.28")
    assert "513.3 off-hours" in found[0].savings_formula
    assert found[0].alternative_group.endswith("#billing-model")


def test_prod_recent_or_stopped_not_flagged(make_ctx, evaluate):
    ctx = make_ctx()
    models = [inst(ctx.now, "i-p", {"env": "production"}),
              inst(ctx.now, "i-r", {"env": "test"}, days=2),
              inst(ctx.now, "i-s", {"env": "test"}, state="stopped")]
    assert evaluate(Ec2InstanceNonProductionAlwaysOn(), models, ctx) == []
