from datetime import timedelta
from decimal import Decimal

from checks.ec2.ec2_instance_previous_generation.check import Ec2InstancePreviousGeneration
from checks.services.ec2 import Instance


def inst(now, iid, itype, platform="linux/unix"):
    return Instance(id=iid, type=itype, state="running", launch_time=now - timedelta(days=9),
                    platform=platform, architecture="x86_64", lifecycle="on-demand",
                    az="us-east-1a")


def test_m4_priced_against_m5(make_ctx, evaluate):
    ctx = make_ctx()
    found = evaluate(Ec2InstancePreviousGeneration(), [inst(ctx.now, "i-1", "m4.large")], ctx)
    assert found[0].estimated_monthly_savings == Decimal("2.92")  # (0.10 - 0.096) x 730
    assert found[0].details["recommended_type"] == "m5.large"


def test_current_generation_not_flagged(make_ctx, evaluate):
    ctx = make_ctx()
    assert evaluate(Ec2InstancePreviousGeneration(), [inst(ctx.now, "i-1", "m5.large")], ctx) == []


def test_unknown_price_gives_unknown_savings(make_ctx, evaluate):
    from checks.prices.catalog import PriceCatalog

    only_m5 = PriceCatalog.from_mapping({"regions": {"us-east-1": {
        "ec2:m5.large:linux:hour": "0.096"}}})
    ctx = make_ctx(prices=only_m5)
    found = evaluate(Ec2InstancePreviousGeneration(), [inst(ctx.now, "i-1", "m1.small")], ctx)
    assert found[0].estimated_monthly_savings is None and found[0].confidence <= 0.3
    assert found[0].details["missing_prices"]


def test_medium_moves_to_the_smallest_m5_that_fits(make_ctx, evaluate):
    ctx = make_ctx()
    found = evaluate(Ec2InstancePreviousGeneration(), [inst(ctx.now, "i-1", "m3.large")], ctx)
    assert found[0].details["recommended_type"] == "m5.large"
    assert found[0].estimated_monthly_savings == Decimal("27.01")  # (0.133 - 0.096) x 730
    # m3.medium ($0.0665/h) -> m5.large ($0.096/h) costs $21.54/month more: not a saving
    assert evaluate(Ec2InstancePreviousGeneration(), [inst(ctx.now, "i-2", "m3.medium")], ctx) == []
