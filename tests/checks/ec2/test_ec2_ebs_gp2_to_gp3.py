from datetime import timedelta
from decimal import Decimal

import boto3

from checks.ec2.ec2_ebs_gp2_to_gp3.check import Ec2EbsGp2ToGp3
from checks.services.ec2 import Volume


def vol(now, vid, vtype, size):
    return Volume(id=vid, type=vtype, size_gib=size, state="in-use",
                  create_time=now - timedelta(days=5), attached_instances=("i-1",))


def test_gp2_is_priced_against_gp3_with_baseline_iops(make_ctx, evaluate):
    ctx = make_ctx()
    small = vol(ctx.now, "vol-small", "gp2", 500)  # 1500 IOPS baseline: gp3's 3000 cover it
    big = vol(ctx.now, "vol-big", "gp2", 2000)  # 6000 IOPS baseline: 3000 extra on gp3
    found = {f.resource_id: f for f in evaluate(Ec2EbsGp2ToGp3(), [small, big], ctx)}
    # 500 x (0.10-0.08) = 10 minus (250 - 125) MiB/s x 0.04 = 5 -> 5
    assert found["vol-small"].estimated_monthly_savings == Decimal("5.00")
    # 2000 x 0.02 = 40 minus 3000 extra IOPS x 0.005 = 15 minus 125 MiB/s x 0.04 = 5 -> 20
    assert found["vol-big"].estimated_monthly_savings == Decimal("20.00")
    assert "3000 IOPS above 3000" in found["vol-big"].savings_formula
    assert "125 MiB/s above 125" in found["vol-big"].savings_formula


def test_throughput_parity_by_size(make_ctx, evaluate):
    ctx = make_ctx()
    vols = [vol(ctx.now, "v333", "gp2", 333), vol(ctx.now, "v334", "gp2", 334),
            vol(ctx.now, "v100", "gp2", 100)]
    found = {f.resource_id: f.estimated_monthly_savings
             for f in evaluate(Ec2EbsGp2ToGp3(), vols, ctx)}
    assert found["v333"] == Decimal("6.54")  # 333 x 0.02 = 6.66 - 3 MiB/s x 0.04 = 0.12
    assert found["v334"] == Decimal("1.68")  # 334 x 0.02 = 6.68 - 125 MiB/s x 0.04 = 5.00
    assert found["v100"] == Decimal("1.88")  # 100 x 0.02 = 2.00 - 3 MiB/s x 0.04 = 0.12


def test_non_gp2_volumes_are_ignored(make_ctx, evaluate):
    ctx = make_ctx()
    assert evaluate(Ec2EbsGp2ToGp3(), [vol(ctx.now, "v", "gp3", 500),
                                       vol(ctx.now, "w", "io1", 500)], ctx) == []


def test_collects_from_moto(aws, make_ctx, evaluate):
    ec2 = boto3.client("ec2", region_name="us-east-1")
    gp2 = ec2.create_volume(AvailabilityZone="us-east-1a", Size=100, VolumeType="gp2")["VolumeId"]
    ec2.create_volume(AvailabilityZone="us-east-1a", Size=100, VolumeType="gp3")
    ctx = make_ctx()
    check = Ec2EbsGp2ToGp3()
    assert [f.resource_id for f in evaluate(check, check.collect(ctx), ctx)] == [gp2]
