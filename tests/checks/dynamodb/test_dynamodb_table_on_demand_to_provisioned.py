from datetime import timedelta
from decimal import Decimal

from checks.dynamodb.capacity import Models
from checks.dynamodb.dynamodb_table_on_demand_to_provisioned.check import (
    DynamodbTableOnDemandToProvisioned,
)
from checks.services.cloudwatch import MetricSeries, query
from checks.services.dynamodb import Table

ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/"


def table(now, name, mode="PAY_PER_REQUEST", age=100):
    return Table(name, ARN + name, now - timedelta(days=age), mode, 0, 0, False, False)


def series(values):
    return MetricSeries(query("AWS/DynamoDB", "m"), tuple(values))


def test_steady_traffic_priced_both_ways(make_ctx, evaluate):
    ctx = make_ctx()
    models = Models([table(ctx.now, "steady")], {
        ("steady", "read"): series([360_000.0] * 336),   # 100 reads/s, every hour of 14 days
        ("steady", "write"): series([36_000.0] * 336)})  # 10 writes/s
    found = evaluate(DynamodbTableOnDemandToProvisioned(), models, ctx)
    # reads: 120,960,000 / 14 d x 30.4167 d = 262,800,000 x $0.000000125 = 32.85
    #        - ceil(100/s x 1.5) = 150 RCU x 730 h x $0.00013 = 14.235
    # writes: 26,280,000 x $0.000000625 = 16.425 - 15 WCU x 730 x $0.00065 = 7.1175
    assert found[0].estimated_monthly_savings == Decimal("27.92")
    assert found[0].details["read"]["provisioned_units"] == 150
    assert found[0].alternative_group.endswith(":table/steady#capacity")


def test_spiky_provisioned_or_young_or_silent_tables_not_flagged(make_ctx, evaluate):
    ctx = make_ctx()
    models = Models(
        [table(ctx.now, "spiky"), table(ctx.now, "young", age=3), table(ctx.now, "silent"),
         table(ctx.now, "prov", mode="PROVISIONED")],
        {("spiky", "read"): series([3_600_000.0]),   # one busy hour: $0.98 vs 1500 RCU
         ("young", "read"): series([360_000.0] * 72),
         ("silent", "read"): series([]),
         ("prov", "read"): series([360_000.0] * 336)})
    assert evaluate(DynamodbTableOnDemandToProvisioned(), models, ctx) == []


def test_on_demand_tables_and_metrics_from_moto(aws, make_ctx):
    from datetime import UTC, datetime

    import boto3

    ddb = boto3.client("dynamodb", region_name="us-east-1")
    for name, mode in (("od", "PAY_PER_REQUEST"), ("pv", "PROVISIONED")):
        extra = {} if mode == "PAY_PER_REQUEST" else {
            "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}
        ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                         BillingMode=mode, **extra)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    boto3.client("cloudwatch", region_name="us-east-1").put_metric_data(
        Namespace="AWS/DynamoDB", MetricData=[
            {"MetricName": "ConsumedReadCapacityUnits", "Value": 360_000.0,
             "Dimensions": [{"Name": "TableName", "Value": "od"}],
             "Timestamp": now - timedelta(hours=h + 1)} for h in range(48)])
    check = DynamodbTableOnDemandToProvisioned()
    ctx = make_ctx(now=now, config={check.meta.id: {"lookback_days": 2}})
    models = check.collect(ctx)
    assert [t.name for t in models.resources] == ["od"]
    assert len(models.consumed[("od", "read")].values) == 48
