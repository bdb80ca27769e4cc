from decimal import Decimal

import boto3

from checks.rds.rds_instance_previous_generation.check import RdsInstancePreviousGeneration


def create(rds, ident, cls):
    rds.create_db_instance(DBInstanceIdentifier=ident, DBInstanceClass=cls, Engine="mysql",
                           EngineVersion="8.0.36", AllocatedStorage=20, MasterUsername="admin",
                           MasterUserPassword="password123")


def test_previous_generation_class_from_moto(aws, make_ctx, evaluate):
    rds = boto3.client("rds", region_name="us-east-1")
    create(rds, "old", "db.m4.large")
    create(rds, "new", "db.m5.large")
    ctx = make_ctx()
    check = RdsInstancePreviousGeneration()
    found = evaluate(check, check.collect(ctx), ctx)
    assert [f.resource_id for f in found] == ["old"]
    assert found[0].estimated_monthly_savings == Decimal("2.92")  # (0.175 - 0.171) x 730


def test_current_generation_or_stopped_not_flagged(make_ctx, evaluate):
    from datetime import timedelta

    from checks.services.rds import DBInstance

    ctx = make_ctx()
    current = DBInstance("a", "", "db.m5.large", "mysql", "8.0.36", "available", False, 20,
                         "gp2", ctx.now - timedelta(days=5))
    stopped = DBInstance("b", "", "db.m4.large", "mysql", "8.0.36", "stopped", False, 20,
                         "gp2", ctx.now - timedelta(days=5))
    assert evaluate(RdsInstancePreviousGeneration(), [current, stopped], ctx) == []
    multi = DBInstance("c", "", "db.r4.large", "postgres", "16.3", "available", True, 20,
                       "gp2", ctx.now - timedelta(days=5))
    found = evaluate(RdsInstancePreviousGeneration(), [multi], ctx)
    assert found[0].estimated_monthly_savings == Decimal("0.00")  # r4 and r5 cost the same


def test_db_m3_medium_priced_against_db_m5_large(make_ctx, evaluate):
    from datetime import timedelta

    from checks.prices.catalog import PriceCatalog
    from checks.services.rds import DBInstance

    prices = PriceCatalog.from_mapping({"regions": {"us-east-1": {
        "rds:db.m3.medium:mysql:hour": "0.20", "rds:db.m5.large:mysql:hour": "0.171"}}})
    ctx = make_ctx(prices=prices)
    db = DBInstance("m3", "", "db.m3.medium", "mysql", "8.0.36", "available", False, 20,
                    "gp2", ctx.now - timedelta(days=5))
    found = evaluate(RdsInstancePreviousGeneration(), [db], ctx)
    assert found[0].details["recommended_class"] == "db.m5.large"
    assert found[0].estimated_monthly_savings == Decimal("21.17")  # (0.20 - 0.171) x 730
