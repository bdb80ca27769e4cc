from datetime import timedelta
from decimal import Decimal

from checks.ec2.ec2_instance_graviton_candidate.check import Ec2InstanceGravitonCandidate
from checks.services.ec2 import Instance


def inst(now, iid, itype, platform="linux/unix", arch="x86_64"):
    return Instance(id=iid, type=itype, state="running", launch_time=now - timedelta(days=9),
                    platform=platform, architecture=arch, lifecycle="on-demand", az="us-east-1a")


def test_m5_linux_is_a_candidate(make_ctx, evaluate):
    ctx = make_ctx()
    found = evaluate(Ec2InstanceGravitonCandidate(), [inst(ctx.now, "i-1", "m5.large")], ctx)
    assert found[0].estimated_monthly_savings == Decimal("13.87")  # (0.096 - 0.077) x 730
    assert found[0].details["recommended_type"] == "m6g.large"


def test_windows_arm_and_unmapped_families_skipped(make_ctx, evaluate):
    ctx = make_ctx()
    models = [inst(ctx.now, "i-w", "m5.large", platform="windows"),
              inst(ctx.now, "i-a", "m6g.large", arch="arm64"),
              inst(ctx.now, "i-x", "x1.16xlarge")]
    assert evaluate(Ec2InstanceGravitonCandidate(), models, ctx) == []
