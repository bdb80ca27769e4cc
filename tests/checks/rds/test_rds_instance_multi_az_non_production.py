from datetime import timedelta
from decimal import Decimal

import boto3

from checks.rds.rds_instance_multi_az_non_production.check import RdsInstanceMultiAzNonProduction
from checks.services.rds import DBInstance


def db(now, ident, tags, multi_az=True):
    return DBInstance(ident, "", "db.m5.large", "postgres", "16.3", "available", multi_az, 100,
                      "gp2", now - timedelta(days=30), tags=tags)


def test_multi_az_test_database_priced(make_ctx, evaluate):
    ctx = make_ctx()
    found = evaluate(RdsInstanceMultiAzNonProduction(), [db(ctx.now, "a", {"Env": "Staging"})], ctx)
    # (0.356 - 0.178) x 730 + 100 GiB x 0.115
    assert found[0].estimated_monthly_savings == Decimal("141.44")
    assert found[0].details["environment"] == "Staging"


def test_production_untagged_or_single_az_not_flagged(make_ctx, evaluate):
    ctx = make_ctx()
    models = [db(ctx.now, "p", {"env": "prod"}), db(ctx.now, "u", {}),
              db(ctx.now, "s", {"env": "dev"}, multi_az=False)]
    assert evaluate(RdsInstanceMultiAzNonProduction(), models, ctx) == []


def test_tag_lists_come_from_tenant_config(aws, make_ctx, evaluate):
    rds = boto3.client("rds", region_name="us-east-1")
    rds.create_db_instance(DBInstanceIdentifier="lab", DBInstanceClass="db.m5.large",
                           Engine="mysql", AllocatedStorage=20, MasterUsername="admin",
                           MasterUserPassword="password123", MultiAZ=True,
                           Tags=[{"Key": "tier", "Value": "lab"}])
    ctx = make_ctx(config={"rds_instance_multi_az_non_production": {
        "environment_tag_keys": ["tier"], "non_production_values": ["lab"]}})
    check = RdsInstanceMultiAzNonProduction()
    found = evaluate(check, check.collect(ctx), ctx)
    assert [f.resource_id for f in found] == ["lab"]
