from datetime import timedelta
from decimal import Decimal

import boto3

from checks.dynamodb.capacity import Models
from checks.dynamodb.dynamodb_table_no_autoscaling.check import DynamodbTableNoAutoscaling
from checks.services.cloudwatch import MetricSeries, query
from checks.services.dynamodb import Table


def table(now, read_scaled=False):
    return Table("t", "arn:aws:dynamodb:us-east-1:123456789012:table/t",
                 now - timedelta(days=30), "PROVISIONED", 100, 10, read_scaled, False)


def hourly(value):
    return MetricSeries(query("AWS/DynamoDB", "X", TableName="t"), (value,) * 24)


def test_fixed_capacity_priced_against_autoscaled_level(make_ctx, evaluate):
    ctx = make_ctx()
    # reads: 7 units/s mean -> 10 at 70%; writes: 3.5/s -> 5
    consumed = {("t", "read"): hourly(7 * 3600), ("t", "write"): hourly(3.5 * 3600)}
    found = evaluate(DynamodbTableNoAutoscaling(), Models([table(ctx.now)], consumed), ctx)
    # (100-10) x 730 x 0.00013 + (10-5) x 730 x 0.00065
    assert found[0].estimated_monthly_savings == Decimal("10.91")


def test_fully_autoscaled_table_not_flagged_and_no_metrics_unknown(make_ctx, evaluate):
    ctx = make_ctx()
    t = Table("t", "arn:aws:dynamodb:us-east-1:123456789012:table/t", ctx.now, "PROVISIONED",
              5, 5, True, True)
    assert evaluate(DynamodbTableNoAutoscaling(), Models([t], {}), ctx) == []
    unknown = evaluate(DynamodbTableNoAutoscaling(), Models([table(ctx.now)], {}), ctx)
    assert unknown[0].estimated_monthly_savings is None


def test_autoscaling_targets_read_from_moto(aws, make_ctx):
    ddb = boto3.client("dynamodb", region_name="us-east-1")
    ddb.create_table(TableName="t", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                     ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    boto3.client("application-autoscaling", region_name="us-east-1").register_scalable_target(
        ServiceNamespace="dynamodb", ResourceId="table/t",
        ScalableDimension="dynamodb:table:ReadCapacityUnits", MinCapacity=1, MaxCapacity=10)
    ctx = make_ctx()
    [model] = DynamodbTableNoAutoscaling().collect(ctx).resources
    assert model.autoscaled_read and not model.autoscaled_write
