from datetime import timedelta
from decimal import Decimal

from checks.ec2.ec2_ami_unused_old.check import Ec2AmiUnusedOld, Models
from checks.services.ec2 import Image, Instance


def ami(now, aid, days):
    return Image(aid, aid, "available", now - timedelta(days=days), ("snap-1", "snap-2"), 40)


def test_old_unused_ami_priced_by_snapshots(make_ctx, evaluate):
    ctx = make_ctx()
    found = evaluate(Ec2AmiUnusedOld(), Models([ami(ctx.now, "ami-old", 400)], []), ctx)
    assert found[0].estimated_monthly_savings == Decimal("2.00")  # 40 GiB x $0.05
    assert found[0].details["savings_bound"] == "upper"


def test_used_or_young_ami_not_flagged(make_ctx, evaluate):
    ctx = make_ctx()
    user = Instance(id="i-1", type="t3.micro", state="running", launch_time=ctx.now,
                    platform="linux/unix", architecture="x86_64", lifecycle="on-demand",
                    az="us-east-1a", image_id="ami-used")
    models = Models([ami(ctx.now, "ami-used", 400), ami(ctx.now, "ami-young", 20)], [user])
    assert evaluate(Ec2AmiUnusedOld(), models, ctx) == []
