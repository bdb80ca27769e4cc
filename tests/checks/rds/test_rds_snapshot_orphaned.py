from datetime import timedelta
from decimal import Decimal

from checks.rds.rds_snapshot_orphaned.check import Models, RdsSnapshotOrphaned
from checks.services.rds import DBInstance, DBSnapshot


def snap(now, sid, source):
    return DBSnapshot(sid, source, "manual", "available", now - timedelta(days=40), 50, "mysql")


def test_snapshot_of_deleted_instance_flagged(make_ctx, evaluate):
    ctx = make_ctx()
    alive = DBInstance("db-live", "", "db.t3.micro", "mysql", "8.0.36", "available", False, 20,
                       "gp2", ctx.now)
    models = Models([snap(ctx.now, "s1", "db-gone"), snap(ctx.now, "s2", "db-live")], [alive])
    found = evaluate(RdsSnapshotOrphaned(), models, ctx)
    assert [f.resource_id for f in found] == ["s1"]
    assert found[0].estimated_monthly_savings == Decimal("4.75")
    assert found[0].details["savings_bound"] == "upper"


def test_young_orphan_not_flagged(make_ctx, evaluate):
    ctx = make_ctx(config={"rds_snapshot_orphaned": {"min_age_days": 60}})
    assert evaluate(RdsSnapshotOrphaned(), Models([snap(ctx.now, "s1", "gone")], []), ctx) == []
