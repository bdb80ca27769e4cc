from datetime import timedelta
from decimal import Decimal

from checks.dynamodb.capacity import Models
from checks.dynamodb.dynamodb_table_underused_capacity.check import DynamodbTableUnderusedCapacity
from checks.services.cloudwatch import MetricSeries, query
from checks.services.dynamodb import Table


def table(now):
    return Table("t", "arn:aws:dynamodb:us-east-1:123456789012:table/t",
                 now - timedelta(days=60), "PROVISIONED", 1000, 10, True, True)


def hourly(peak):
    return MetricSeries(query("AWS/DynamoDB", "X", TableName="t"), (0.0,) * 23 + (peak,))


def test_reads_far_below_provisioned(make_ctx, evaluate):
    ctx = make_ctx()
    consumed = {("t", "read"): hourly(20 * 3600), ("t", "write"): hourly(9 * 3600)}
    found = evaluate(DynamodbTableUnderusedCapacity(), Models([table(ctx.now)], consumed), ctx)
    # reads: peak 20/s x 1.5 = 30 -> (1000-30) x 730 x 0.00013; writes at 90%: untouched
    assert found[0].estimated_monthly_savings == Decimal("92.05")
    assert list(found[0].details) [:1] == ["read"]


def test_well_used_or_unmeasured_table_not_flagged(make_ctx, evaluate):
    ctx = make_ctx()
    busy = {("t", "read"): hourly(900 * 3600), ("t", "write"): hourly(9 * 3600)}
    assert evaluate(DynamodbTableUnderusedCapacity(), Models([table(ctx.now)], busy), ctx) == []
    assert evaluate(DynamodbTableUnderusedCapacity(), Models([table(ctx.now)], {}), ctx) == []
