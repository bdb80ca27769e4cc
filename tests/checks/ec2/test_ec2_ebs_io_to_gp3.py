from datetime import timedelta
from decimal import Decimal

from checks.ec2.ec2_ebs_io_to_gp3.check import Ec2EbsIoToGp3
from checks.services.ec2 import Volume


def vol(now, vid, vtype, size, iops):
    return Volume(id=vid, type=vtype, size_gib=size, state="in-use", iops=iops,
                  create_time=now - timedelta(days=5))


def test_io1_within_gp3_limits_is_priced(make_ctx, evaluate):
    ctx = make_ctx()
    found = evaluate(Ec2EbsIoToGp3(), [vol(ctx.now, "vol-a", "io1", 100, 5000)], ctx)
    # io1: 100 x 0.125 + 5000 x 0.065 = 337.50; gp3: 100 x 0.08 + 2000 x 0.005 = 18 -> 319.50
    assert found[0].estimated_monthly_savings == Decimal("319.50")
    assert found[0].alternative_group.endswith("vol-a#disposition")


def test_high_iops_or_other_types_are_not_flagged(make_ctx, evaluate):
    ctx = make_ctx()
    vols = [vol(ctx.now, "vol-b", "io2", 100, 20000), vol(ctx.now, "vol-c", "gp2", 100, 300)]
    assert evaluate(Ec2EbsIoToGp3(), vols, ctx) == []


def test_io_volume_without_iops_is_skipped_and_recorded(make_ctx, evaluate):
    ctx = make_ctx()
    assert evaluate(Ec2EbsIoToGp3(), [vol(ctx.now, "vol-d", "io1", 100, None)], ctx) == []
    assert ctx.errors[0].code == "SkippedResource" and "vol-d" in ctx.errors[0].message


def test_threshold_override(make_ctx, evaluate):
    ctx = make_ctx(config={"ec2_ebs_io_to_gp3": {"max_iops": 4000}})
    assert evaluate(Ec2EbsIoToGp3(), [vol(ctx.now, "vol-a", "io1", 100, 5000)], ctx) == []
