from datetime import timedelta
from decimal import Decimal

import boto3

from checks.rds.rds_snapshot_manual_old.check import RdsSnapshotManualOld
from checks.services.rds import DBSnapshot


def test_old_manual_snapshot_flagged(make_ctx, evaluate):
    ctx = make_ctx()
    old = DBSnapshot("s-old", "db1", "manual", "available", ctx.now - timedelta(days=200), 100, "mysql")
    new = DBSnapshot("s-new", "db1", "manual", "available", ctx.now - timedelta(days=10), 100, "mysql")
    found = evaluate(RdsSnapshotManualOld(), [old, new], ctx)
    assert [f.resource_id for f in found] == ["s-old"]
    assert found[0].estimated_monthly_savings == Decimal("9.50")  # 100 GiB x 0.095
    assert found[0].details["savings_bound"] == "upper"


def test_collects_manual_snapshots_from_moto(aws, make_ctx):
    rds = boto3.client("rds", region_name="us-east-1")
    rds.create_db_instance(DBInstanceIdentifier="db1", DBInstanceClass="db.t3.micro",
                           Engine="postgres", AllocatedStorage=20, MasterUsername="admin",
                           MasterUserPassword="password123")
    rds.create_db_snapshot(DBInstanceIdentifier="db1", DBSnapshotIdentifier="manual-1")
    ctx = make_ctx()
    snaps = RdsSnapshotManualOld().collect(ctx)
    assert [s.id for s in snaps] == ["manual-1"] and snaps[0].allocated_gib == 20
