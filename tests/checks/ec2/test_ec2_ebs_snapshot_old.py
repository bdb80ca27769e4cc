from datetime import timedelta
from decimal import Decimal

from checks.ec2.ec2_ebs_snapshot_old.check import Ec2EbsSnapshotOld, Models
from checks.services.ec2 import Image, Snapshot


def snap(now, sid, days):
    return Snapshot(id=sid, volume_id="vol-1", volume_size_gib=100,
                    start_time=now - timedelta(days=days), state="completed")


def test_old_snapshot_not_in_an_ami_is_flagged(make_ctx, evaluate):
    ctx = make_ctx()
    ami = Image("ami-1", "base", "available", ctx.now - timedelta(days=200), ("snap-ami",), 8)
    models = Models([snap(ctx.now, "snap-old", 200), snap(ctx.now, "snap-ami", 200),
                     snap(ctx.now, "snap-new", 10)], [ami])
    found = evaluate(Ec2EbsSnapshotOld(), models, ctx)
    assert [f.resource_id for f in found] == ["snap-old"]
    assert found[0].estimated_monthly_savings == Decimal("5.00")
    assert "upper bound" in found[0].savings_formula


def test_threshold_from_tenant_config(make_ctx, evaluate):
    ctx = make_ctx(config={"ec2_ebs_snapshot_old": {"max_age_days": 365}})
    assert evaluate(Ec2EbsSnapshotOld(), Models([snap(ctx.now, "s", 200)], []), ctx) == []


def test_details_say_whether_the_source_volume_still_exists(make_ctx, evaluate):
    from checks.services.ec2 import Volume

    ctx = make_ctx()
    live = Volume(id="vol-1", type="gp3", size_gib=100, state="in-use", create_time=ctx.now)
    gone = Snapshot(id="snap-x", volume_id="vol-gone", volume_size_gib=10,
                    start_time=ctx.now - timedelta(days=200), state="completed")
    found = evaluate(Ec2EbsSnapshotOld(), Models([snap(ctx.now, "snap-a", 200), gone], [], [live]), ctx)
    assert {f.resource_id: f.details["volume_exists"] for f in found} == {
        "snap-a": True, "snap-x": False}


def test_only_the_accounts_own_snapshots_are_collected(aws, make_ctx, monkeypatch):
    import boto3

    # with its public AMIs loaded, moto answers OwnerIds=["self"] with their snapshots too
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "true")

    ec2 = boto3.client("ec2", region_name="us-east-1")
    vol = ec2.create_volume(AvailabilityZone="us-east-1a", Size=20, VolumeType="gp3")
    mine = ec2.create_snapshot(VolumeId=vol["VolumeId"])["SnapshotId"]
    models = Ec2EbsSnapshotOld().collect(make_ctx())
    assert [s.id for s in models.resources] == [mine]  # not moto's public AMI snapshots


def full(now, sid, volume, full_bytes, tier="standard"):
    return Snapshot(id=sid, volume_id=volume, volume_size_gib=100,
                    start_time=now - timedelta(days=200), state="completed",
                    storage_tier=tier, full_size_bytes=full_bytes)


def test_priced_from_the_snapshots_own_full_size(make_ctx, evaluate):
    ctx = make_ctx()
    models = Models([
        full(ctx.now, "snap-sole", "vol-a", 50 * 2**30),     # only snapshot of vol-a: exact
        full(ctx.now, "snap-b1", "vol-b", 40 * 2**30),       # vol-b has two: upper bounds
        full(ctx.now, "snap-b2", "vol-b", 60 * 2**30),
        full(ctx.now, "snap-arch", "vol-b", 80 * 2**30, tier="archive"),  # archive: exact
        snap(ctx.now, "snap-nosize", 200),                   # no full size: volume size, bound
    ], [])
    found = {f.resource_id: f for f in evaluate(Ec2EbsSnapshotOld(), models, ctx)}
    savings = {k: f.estimated_monthly_savings for k, f in found.items()}
    # 50 GiB x $0.05; 40 x 0.05; 60 x 0.05; 80 GiB x $0.0125 archive; 100 GiB volume x 0.05
    assert savings == {"snap-sole": Decimal("2.50"), "snap-b1": Decimal("2.00"),
                       "snap-b2": Decimal("3.00"), "snap-arch": Decimal("1.00"),
                       "snap-nosize": Decimal("5.00")}
    bound = {k: f.details.get("savings_bound") for k, f in found.items()}
    assert bound == {"snap-sole": None, "snap-b1": "upper", "snap-b2": "upper",
                     "snap-arch": None, "snap-nosize": "upper"}


def test_full_size_parsed_from_describe_snapshots():
    from checks.services.ec2 import _snapshot

    raw = {"SnapshotId": "snap-1", "VolumeId": "vol-1", "VolumeSize": 100, "State": "completed",
           "StartTime": "2026-01-01T00:00:00Z", "StorageTier": "standard",
           "FullSnapshotSizeInBytes": 12884901888}
    assert _snapshot(raw).full_size_bytes == 12 * 2**30
    assert _snapshot({k: v for k, v in raw.items() if k != "FullSnapshotSizeInBytes"}
                     ).full_size_bytes is None
