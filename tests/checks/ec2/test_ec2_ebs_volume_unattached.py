from datetime import timedelta
from decimal import Decimal

import boto3

from checks.ec2.ec2_ebs_volume_unattached.check import Ec2EbsVolumeUnattached, Models
from checks.services.cloudwatch import MetricSeries, query
from checks.services.ec2 import Volume

NOW_OFFSET = timedelta(days=30)


def vol(now, vid="vol-0a", state="available", days=30, vtype="gp2", size=500):
    return Volume(id=vid, type=vtype, size_gib=size, state=state, create_time=now - timedelta(days=days))


def test_old_unattached_volume_is_priced(make_ctx, contract):
    ctx = make_ctx()
    check = Ec2EbsVolumeUnattached()
    cfg = ctx.config.for_check(check.meta)
    models = Models([vol(ctx.now), vol(ctx.now, "vol-0b", state="in-use")], {})
    found = list(check.evaluate(models, cfg, ctx))
    assert [f.resource_id for f in found] == ["vol-0a"]
    f = found[0]
    assert f.estimated_monthly_savings == Decimal("50.00")  # 500 GiB x $0.10
    assert "500 GiB x $0.1/gb-month (ebs:gp2:gb-month, us-east-1)" in f.savings_formula
    assert f.alternative_group.endswith("volume/vol-0a#disposition")
    contract(found)


def test_recent_or_recently_attached_volume_is_not_flagged(make_ctx):
    ctx = make_ctx()
    check = Ec2EbsVolumeUnattached()
    cfg = ctx.config.for_check(check.meta)
    q = query("AWS/EBS", "VolumeReadOps", VolumeId="vol-0a")
    busy = Models([vol(ctx.now)], {"vol-0a": MetricSeries(q, (12.0,))})
    young = Models([vol(ctx.now, days=3)], {})
    assert list(check.evaluate(busy, cfg, ctx)) == []
    assert list(check.evaluate(young, cfg, ctx)) == []


def test_collect_from_moto(aws, make_ctx, contract):
    ec2 = boto3.client("ec2", region_name="us-east-1")
    free = ec2.create_volume(AvailabilityZone="us-east-1a", Size=100, VolumeType="gp3")
    ctx = make_ctx(now=make_ctx().now.replace(year=2100 - 1))  # every moto volume is "old"
    check = Ec2EbsVolumeUnattached()
    models = check.collect(ctx)
    found = list(check.evaluate(models, ctx.config.for_check(check.meta), ctx))
    assert [f.resource_id for f in found] == [free["VolumeId"]]
    assert found[0].estimated_monthly_savings == Decimal("8.00")
    contract(found)


def test_unknown_price_gives_none_and_low_confidence(make_ctx, contract):
    ctx = make_ctx(region="ap-southeast-5")  # no EBS prices in the snapshots (SOURCE.md)
    check = Ec2EbsVolumeUnattached()
    found = list(check.evaluate(Models([vol(ctx.now)], {}), ctx.config.for_check(check.meta), ctx))
    assert found[0].estimated_monthly_savings is None
    assert found[0].confidence <= 0.3
    contract(found)
