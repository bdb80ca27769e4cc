from datetime import timedelta
from decimal import Decimal

from checks.rds.rds_instance_idle.check import Models, RdsInstanceIdle
from checks.services.cloudwatch import MetricSeries, query
from checks.services.rds import DBInstance

Q = query("AWS/RDS", "DatabaseConnections", "Maximum", DBInstanceIdentifier="db1")


def db(now, multi_az=False):
    return DBInstance("db1", "", "db.m5.large", "postgres", "16.3", "available", multi_az, 100,
                      "gp2", now - timedelta(days=90))


def test_idle_instance_priced_with_storage(make_ctx, evaluate):
    ctx = make_ctx()
    found = evaluate(RdsInstanceIdle(), Models([db(ctx.now, True)], {"db1": MetricSeries(Q, (0.0,) * 7)}), ctx)
    # 730 x 0.356 (multi-AZ postgres) + 200 GiB x 0.115
    assert found[0].estimated_monthly_savings == Decimal("282.88")


def test_connected_or_unmeasured_instance_not_idle(make_ctx, evaluate):
    ctx = make_ctx()
    assert evaluate(RdsInstanceIdle(), Models([db(ctx.now)], {"db1": MetricSeries(Q, (0.0, 3.0))}), ctx) == []
    assert evaluate(RdsInstanceIdle(), Models([db(ctx.now)], {"db1": MetricSeries(Q, ())}), ctx) == []


def test_instance_still_being_created_is_parsed_and_not_judged(make_ctx, evaluate):
    from checks.services.rds import _instance

    raw = {"DBInstanceIdentifier": "db1", "DBInstanceClass": "db.m5.large", "Engine": "mysql",
           "DBInstanceStatus": "creating"}
    model = _instance(raw)
    assert model.created is None
    ctx = make_ctx()
    assert evaluate(RdsInstanceIdle(), Models([model], {"db1": MetricSeries(Q, (0.0,))}), ctx) == []
