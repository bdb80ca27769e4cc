from datetime import timedelta
from decimal import Decimal

import boto3

from checks.efs.efs_file_system_no_ia_lifecycle.check import EfsFileSystemNoIaLifecycle
from checks.services.efs import FileSystem

ARN = "arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/"


def fs(now, fid, standard_bytes, transitions=(), days=100):
    return FileSystem(fid, ARN + fid, fid, now - timedelta(days=days), standard_bytes,
                      standard_bytes, transitions)


def test_no_ia_policy_priced_on_cold_share(make_ctx, evaluate):
    ctx = make_ctx()
    found = evaluate(EfsFileSystemNoIaLifecycle(), [fs(ctx.now, "fs-1", 200 * 2**30)], ctx)
    # 200 GiB x 0.5 = 100 GiB x (0.30 - 0.025) = 27.50
    assert found[0].estimated_monthly_savings == Decimal("27.50")
    assert "100.000 GiB" in found[0].savings_formula


def test_ia_policy_small_or_new_file_systems_not_flagged(make_ctx, evaluate):
    ctx = make_ctx()
    models = [fs(ctx.now, "fs-ia", 200 * 2**30, ("TransitionToIA=AFTER_30_DAYS",)),
              fs(ctx.now, "fs-tiny", 2**29), fs(ctx.now, "fs-new", 200 * 2**30, days=2)]
    assert evaluate(EfsFileSystemNoIaLifecycle(), models, ctx) == []


def test_lifecycle_read_from_moto(aws, make_ctx, evaluate):
    from moto.backends import get_backend

    efs = boto3.client("efs", region_name="us-east-1")
    bare = efs.create_file_system(CreationToken="bare")["FileSystemId"]
    tiered = efs.create_file_system(CreationToken="tiered")["FileSystemId"]
    efs.put_lifecycle_configuration(FileSystemId=tiered, LifecyclePolicies=[
        {"TransitionToIA": "AFTER_30_DAYS"}])
    backend = get_backend("efs")["123456789012"]["us-east-1"]
    for fid in (bare, tiered):  # moto meters nothing: give both 10 GiB
        backend.file_systems_by_id[fid]._size_value = 10 * 2**30
    ctx = make_ctx(now=make_ctx().now.replace(year=2099))
    check = EfsFileSystemNoIaLifecycle()
    found = evaluate(check, check.collect(ctx), ctx)
    assert [f.resource_name for f in found] == [bare]
    assert found[0].estimated_monthly_savings == Decimal("1.38")  # 5 GiB x 0.275 = 1.375
