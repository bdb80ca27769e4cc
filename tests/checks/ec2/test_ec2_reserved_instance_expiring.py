from datetime import timedelta
from decimal import Decimal

from checks.ec2.ec2_reserved_instance_expiring.check import Ec2ReservedInstanceExpiring
from checks.services.ec2 import ReservedInstance


def ri(now, rid, days_left, state="active"):
    # all upfront $525.60 for 1 year -> $0.06/h effective
    return ReservedInstance(rid, "m5.large", 2, state, now - timedelta(days=300),
                            now + timedelta(days=days_left), 31536000, Decimal("525.6"),
                            Decimal(0), Decimal(0), "Linux/UNIX", "Region", None, "All Upfront")


def test_expiring_ri_priced_at_on_demand_minus_effective_rate(make_ctx, evaluate):
    ctx = make_ctx()
    found = evaluate(Ec2ReservedInstanceExpiring(), [ri(ctx.now, "ri-1", 12)], ctx)
    # 2 x 730 x (0.096 - 0.06)
    assert found[0].estimated_monthly_savings == Decimal("52.56")
    assert found[0].details["effective_hourly"] == "0.060000"


def test_far_expired_or_retired_ri_not_flagged(make_ctx, evaluate):
    ctx = make_ctx()
    models = [ri(ctx.now, "ri-2", 200), ri(ctx.now, "ri-3", -3), ri(ctx.now, "ri-4", 5, "retired")]
    assert evaluate(Ec2ReservedInstanceExpiring(), models, ctx) == []
