from datetime import timedelta
from decimal import Decimal

from checks.ec2.ec2_ebs_snapshot_of_deregistered_ami.check import (
    Ec2EbsSnapshotOfDeregisteredAmi,
    made_for,
)
from checks.ec2.ec2_ebs_snapshot_old.check import Models
from checks.services.ec2 import Image, Snapshot


def snap(now, sid, description, days=30, full=None, volume="vol-1"):
    return Snapshot(id=sid, volume_id=volume, volume_size_gib=40,
                    start_time=now - timedelta(days=days), state="completed",
                    description=description, full_size_bytes=full)


def test_description_names_the_ami():
    assert made_for(snap_at("Created by CreateImage(i-0abc12) for ami-0def34")) == "ami-0def34"
    assert made_for(snap_at("Copied for DestinationAmi ami-0aa from SourceAmi ami-0bb for "
                            "SourceSnapshot snap-1. Task created on 1,702.")) == "ami-0aa"
    assert made_for(snap_at("nightly backup")) is None


def snap_at(description):
    from datetime import UTC, datetime
    return snap(datetime(2026, 1, 1, tzinfo=UTC), "s", description)


def test_snapshot_of_a_gone_ami_flagged_live_or_young_or_unrelated_not(make_ctx, evaluate):
    ctx = make_ctx()
    live = Image("ami-0a11", "web", "available", ctx.now - timedelta(days=5), ("snap-in",), 8)
    models = Models([
        snap(ctx.now, "snap-gone", "Created by CreateImage(i-1) for ami-0dead",
             full=20 * 2**30, volume="vol-a"),
        snap(ctx.now, "snap-live", "Created by CreateImage(i-1) for ami-0a11", volume="vol-b"),
        snap(ctx.now, "snap-young", "Created by CreateImage(i-1) for ami-0c2", days=2),
        snap(ctx.now, "snap-manual", "before upgrade", volume="vol-c"),
    ], [live])
    found = evaluate(Ec2EbsSnapshotOfDeregisteredAmi(), models, ctx)
    assert [f.resource_id for f in found] == ["snap-gone"]
    f = found[0]
    assert f.details["image_id"] == "ami-0dead"
    # sole snapshot of vol-a, 20 GiB stored x $0.05 = $1.00, exact
    assert f.estimated_monthly_savings == Decimal("1.00") and "savings_bound" not in f.details
    assert f.alternative_group.endswith(":snapshot/snap-gone#disposition")


def test_deregistered_image_in_moto_leaves_its_snapshot(aws, make_ctx):
    import boto3

    ec2 = boto3.client("ec2", region_name="us-east-1")
    base = ec2.register_image(Name="base", RootDeviceName="/dev/xvda", BlockDeviceMappings=[
        {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8}}])["ImageId"]
    inst = ec2.run_instances(ImageId=base, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    kept = ec2.create_image(InstanceId=inst, Name="kept")["ImageId"]
    gone = ec2.create_image(InstanceId=inst, Name="gone")["ImageId"]
    ec2.deregister_image(ImageId=gone)
    ctx = make_ctx(now=__import__("datetime").datetime.now(__import__("datetime").UTC)
                   + timedelta(days=30))
    check = Ec2EbsSnapshotOfDeregisteredAmi()
    found = list(check.evaluate(check.collect(ctx), ctx.config.for_check(check.meta), ctx))
    assert {f.details["image_id"] for f in found} == {gone}
    assert kept not in {f.details["image_id"] for f in found}
