from datetime import timedelta
from decimal import Decimal

from checks.rds.rds_instance_graviton_candidate.check import RdsInstanceGravitonCandidate
from checks.services.rds import DBInstance


def db(now, ident, cls, engine):
    return DBInstance(ident, "", cls, engine, "8.0.36", "available", False, 20, "gp2",
                      now - timedelta(days=30))


def test_open_source_engine_on_x86_is_candidate(make_ctx, evaluate):
    ctx = make_ctx()
    found = evaluate(RdsInstanceGravitonCandidate(), [db(ctx.now, "a", "db.r5.large", "mysql")], ctx)
    assert found[0].estimated_monthly_savings == Decimal("18.25")  # (0.24 - 0.215) x 730


def test_commercial_engine_or_graviton_class_skipped(make_ctx, evaluate):
    ctx = make_ctx()
    models = [db(ctx.now, "b", "db.r5.large", "sqlserver-se"),
              db(ctx.now, "c", "db.r6g.large", "mysql")]
    assert evaluate(RdsInstanceGravitonCandidate(), models, ctx) == []
