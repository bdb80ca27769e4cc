from datetime import timedelta
from decimal import Decimal

from checks.rds.rds_instance_low_cpu.check import Models, RdsInstanceLowCpu
from checks.services.cloudwatch import MetricSeries, query
from checks.services.rds import DBInstance

Q = query("AWS/RDS", "CPUUtilization", DBInstanceIdentifier="db1")


def db(now, cls="db.m5.xlarge"):
    return DBInstance("db1", "", cls, "mysql", "8.0.36", "available", False, 100, "gp2",
                      now - timedelta(days=90))


def test_low_cpu_instance_downsized(make_ctx, evaluate):
    ctx = make_ctx()
    models = Models([db(ctx.now)], {"db1": MetricSeries(Q, (3.0,) * 14)},
                    {"db1": MetricSeries(Q, (12.0,) * 14)})
    found = evaluate(RdsInstanceLowCpu(), models, ctx)
    assert found[0].estimated_monthly_savings == Decimal("124.83")  # (0.342 - 0.171) x 730
    assert found[0].details["recommended_class"] == "db.m5.large"


def test_spiky_instance_is_not_downsized(make_ctx, evaluate):
    ctx = make_ctx()
    models = Models([db(ctx.now)], {"db1": MetricSeries(Q, (3.0,) * 14)},
                    {"db1": MetricSeries(Q, (95.0,) * 14)})
    assert evaluate(RdsInstanceLowCpu(), models, ctx) == []
