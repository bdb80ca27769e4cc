from datetime import timedelta
from decimal import Decimal

from checks.ec2.ec2_ebs_gp3_overprovisioned_performance.check import (
    Ec2EbsGp3OverprovisionedPerformance,
    Models,
)
from checks.services.cloudwatch import MetricSeries, query
from checks.services.ec2 import Volume

Q = query("AWS/EBS", "VolumeReadOps", VolumeId="vol-a")


def vol(now, iops=10000, tp=500):
    return Volume(id="vol-a", type="gp3", size_gib=500, state="in-use", iops=iops, throughput=tp,
                  create_time=now - timedelta(days=90), attached_instances=("i-1",))


def series(peak_per_5min):
    return MetricSeries(Q, (0.0, peak_per_5min))


def test_unused_iops_and_throughput_priced(make_ctx, evaluate):
    ctx = make_ctx()
    # peak 1,000 IOPS and 50 MiB/s -> recommend the free 3000 IOPS / 125 MiB/s
    models = Models([vol(ctx.now)], {"vol-a": series(1000 * 300)},
                    {"vol-a": series(50 * 1024 * 1024 * 300)})
    found = evaluate(Ec2EbsGp3OverprovisionedPerformance(), models, ctx)
    # 7000 IOPS x $0.005 + 375 MiB/s x $0.04
    assert found[0].estimated_monthly_savings == Decimal("50.00")
    assert found[0].details["recommended_iops"] == 3000


def test_busy_or_baseline_volume_not_flagged(make_ctx, evaluate):
    ctx = make_ctx()
    busy = Models([vol(ctx.now)], {"vol-a": series(9000 * 300)},
                  {"vol-a": series(450 * 1024 * 1024 * 300)})
    assert evaluate(Ec2EbsGp3OverprovisionedPerformance(), busy, ctx) == []
    baseline = Models([vol(ctx.now, iops=3000, tp=125)], {"vol-a": series(0.0)},
                      {"vol-a": series(0.0)})
    assert evaluate(Ec2EbsGp3OverprovisionedPerformance(), baseline, ctx) == []
