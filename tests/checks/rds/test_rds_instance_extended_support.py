from datetime import UTC, datetime
from decimal import Decimal

from checks.rds.rds_instance_extended_support.check import RdsInstanceExtendedSupport, support_start
from checks.services.rds import DBInstance


def db(ident, engine, version, cls="db.m5.xlarge", multi_az=False):
    return DBInstance(ident, "", cls, engine, version, "available", multi_az, 20, "gp2",
                      datetime(2022, 1, 1, tzinfo=UTC))


def test_version_matching():
    assert support_start("mysql", "5.7.44") == datetime(2024, 3, 1, tzinfo=UTC)
    assert support_start("postgres", "12.19") is not None
    assert support_start("postgres", "16.3") is None
    assert support_start("mysql", "5.70") is None


def test_mysql57_in_extended_support_priced_per_vcpu(make_ctx, evaluate):
    ctx = make_ctx(now=datetime(2025, 1, 1, tzinfo=UTC))
    found = evaluate(RdsInstanceExtendedSupport(), [db("a", "mysql", "5.7.44", multi_az=True)], ctx)
    # 4 vCPU x 2 (multi-AZ) x 730 h x $0.10 (years 1-2)
    assert found[0].estimated_monthly_savings == Decimal("584.00")
    later = make_ctx(now=datetime(2026, 6, 1, tzinfo=UTC))
    found = evaluate(RdsInstanceExtendedSupport(), [db("a", "mysql", "5.7.44")], later)
    assert found[0].estimated_monthly_savings == Decimal("584.00")  # 4 x 730 x $0.20 (year 3)


def test_supported_version_not_flagged_and_upcoming_warned(make_ctx, evaluate):
    ctx = make_ctx(now=datetime(2026, 6, 1, tzinfo=UTC))
    assert evaluate(RdsInstanceExtendedSupport(), [db("b", "postgres", "16.3")], ctx) == []
    soon = evaluate(RdsInstanceExtendedSupport(), [db("c", "mysql", "8.0.36")], ctx)
    assert "enters Extended Support in 61 days" in soon[0].title and soon[0].confidence == 0.6


def test_unknown_class_gives_unknown_savings(make_ctx, evaluate):
    ctx = make_ctx(now=datetime(2025, 1, 1, tzinfo=UTC))
    found = evaluate(RdsInstanceExtendedSupport(), [db("d", "mysql", "5.7.44", "db.z9.huge")], ctx)
    assert found[0].estimated_monthly_savings is None and found[0].confidence <= 0.3
