from datetime import timedelta
from decimal import Decimal

from checks.ec2.ec2_ebs_volume_on_stopped_instance.check import (
    Ec2EbsVolumeOnStoppedInstance,
    Models,
)
from checks.services.ec2 import Instance, Volume


def inst(now, iid, state, stopped_days):
    return Instance(id=iid, type="m5.large", state=state, launch_time=now - timedelta(days=400),
                    platform="linux/unix", architecture="x86_64", lifecycle="on-demand",
                    az="us-east-1a",
                    stopped_since=now - timedelta(days=stopped_days) if stopped_days else None)


def vol(now, vid, owner):
    return Volume(id=vid, type="gp3", size_gib=50, state="in-use",
                  create_time=now - timedelta(days=400), attached_instances=(owner,))


def test_volume_of_long_stopped_instance_is_priced(make_ctx, evaluate):
    ctx = make_ctx()
    models = Models([vol(ctx.now, "vol-a", "i-old")], [inst(ctx.now, "i-old", "stopped", 45)])
    found = evaluate(Ec2EbsVolumeOnStoppedInstance(), models, ctx)
    assert found[0].estimated_monthly_savings == Decimal("4.00")
    assert found[0].details["instances"] == ["i-old"]


def test_recently_stopped_running_or_unknown_stop_time(make_ctx, evaluate):
    ctx = make_ctx()
    check = Ec2EbsVolumeOnStoppedInstance()
    recent = Models([vol(ctx.now, "v", "i-1")], [inst(ctx.now, "i-1", "stopped", 10)])
    running = Models([vol(ctx.now, "v", "i-2")], [inst(ctx.now, "i-2", "running", 0)])
    unknown = Models([vol(ctx.now, "v", "i-3")], [inst(ctx.now, "i-3", "stopped", 0)])
    assert evaluate(check, recent, ctx) == []
    assert evaluate(check, running, ctx) == []
    assert evaluate(check, unknown, ctx) == []
    assert [e.code for e in ctx.errors] == ["SkippedResource"]
