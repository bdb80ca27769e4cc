from datetime import timedelta
from decimal import Decimal

from checks.prices.catalog import PriceCatalog
from checks.rds.rds_instance_storage_gp2_to_gp3.check import (
    RdsInstanceStorageGp2ToGp3,
    gp3_parity,
)
from checks.services.rds import DBInstance


def db(now, ident, gib, storage="gp2", engine="postgres", multi_az=False, cluster=None):
    return DBInstance(ident, f"arn:aws:rds:us-east-1:123456789012:db:{ident}", "db.m6g.large",
                      engine, "16.3", "available", multi_az, gib, storage,
                      now - timedelta(days=30), cluster_id=cluster)


def test_gp3_parity_by_size():
    assert gp3_parity(100) == (0, True)       # 300 IOPS, 128 MiB/s
    assert gp3_parity(350) == (0, False)      # gp2 sustains 250 MiB/s, gp3 fixed at 125
    assert gp3_parity(1000) == (0, True)      # 3000 IOPS < 12000, 250 MiB/s < 500
    assert gp3_parity(5000) == (3000, True)   # 15000 IOPS - 12000 included


def test_same_price_reported_at_zero_and_explained(make_ctx, evaluate):
    ctx = make_ctx()
    models = [db(ctx.now, "pg", 100), db(ctx.now, "ok", 100, storage="gp3"),
              db(ctx.now, "aurora", 100, engine="aurora-postgresql", cluster="c1"),
              db(ctx.now, "mid", 350)]
    found = evaluate(RdsInstanceStorageGp2ToGp3(), models, ctx)
    assert [f.resource_name for f in found] == ["pg"]
    # us-east-1 prices gp2 and gp3 alike: 100 GiB x $0.115 - 100 GiB x $0.115
    assert found[0].estimated_monthly_savings == Decimal("0.00")
    assert "rds:gp2:gb-month" in found[0].savings_formula
    assert found[0].details["gp3_baseline_iops"] == 3000


def test_saving_where_gp3_is_cheaper_minus_iops_kept(make_ctx, evaluate):
    prices = PriceCatalog.from_mapping({"regions": {"us-east-1": {
        "rds:gp2:multi-az:gb-month": "0.23", "rds:gp3:multi-az:gb-month": "0.20",
        "rds:gp3:multi-az:iops-month": "0.04"}}})
    ctx = make_ctx(prices=prices)
    found = evaluate(RdsInstanceStorageGp2ToGp3(), [db(ctx.now, "big", 5000, multi_az=True)], ctx)
    # 5000 x (0.23 - 0.20) = 150.00, minus 3000 IOPS above 12000 x $0.04 = 120.00 -> 30.00
    assert found[0].estimated_monthly_savings == Decimal("30.00")
    assert found[0].details["gp3_extra_iops"] == 3000


def test_not_reported_where_gp3_costs_more(make_ctx, evaluate):
    ctx = make_ctx()  # us-east-1: 5000 GiB keeps 15000 IOPS: 3000 x $0.02 more on gp3
    assert evaluate(RdsInstanceStorageGp2ToGp3(), [db(ctx.now, "huge", 5000)], ctx) == []


def test_storage_type_read_from_moto(aws, make_ctx):
    import boto3

    rds = boto3.client("rds", region_name="us-east-1")
    for ident, storage in (("old", "gp2"), ("new", "gp3")):
        rds.create_db_instance(DBInstanceIdentifier=ident, DBInstanceClass="db.m6g.large",
                               Engine="postgres", MasterUsername="u", MasterUserPassword="p" * 9,
                               AllocatedStorage=50, StorageType=storage)
    ctx = make_ctx()
    check = RdsInstanceStorageGp2ToGp3()
    found = list(check.evaluate(check.collect(ctx), ctx.config.for_check(check.meta), ctx))
    assert [f.resource_name for f in found] == ["old"]
