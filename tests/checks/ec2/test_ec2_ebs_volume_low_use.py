from datetime import timedelta
from decimal import Decimal

from checks.ec2.ec2_ebs_volume_low_use.check import Ec2EbsVolumeLowUse, Models
from checks.services.cloudwatch import MetricSeries, query
from checks.services.ec2 import Volume

Q = query("AWS/EBS", "VolumeReadOps", VolumeId="vol-a")


def vol(now):
    return Volume(id="vol-a", type="gp3", size_gib=200, state="in-use",
                  create_time=now - timedelta(days=60), attached_instances=("i-1",))


def test_volume_with_few_ops_is_flagged(make_ctx, evaluate):
    ctx = make_ctx()
    models = Models([vol(ctx.now)], {"vol-a": MetricSeries(Q, (10.0,) * 14)})
    found = evaluate(Ec2EbsVolumeLowUse(), models, ctx)
    assert found[0].estimated_monthly_savings == Decimal("16.00")
    assert found[0].details["avg_daily_ops"] == 10.0


def test_busy_or_unmeasured_volume_is_not_flagged(make_ctx, evaluate):
    ctx = make_ctx()
    busy = Models([vol(ctx.now)], {"vol-a": MetricSeries(Q, (5000.0,) * 14)})
    silent = Models([vol(ctx.now)], {"vol-a": MetricSeries(Q, ())})
    assert evaluate(Ec2EbsVolumeLowUse(), busy, ctx) == []
    assert evaluate(Ec2EbsVolumeLowUse(), silent, ctx) == []
