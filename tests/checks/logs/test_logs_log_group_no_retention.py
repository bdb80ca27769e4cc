from datetime import timedelta
from decimal import Decimal

import boto3

from checks.logs.logs_log_group_no_retention.check import LogsLogGroupNoRetention
from checks.services.logs import LogGroup


def test_never_expiring_group_priced_by_share_older_than_retention(make_ctx, evaluate):
    ctx = make_ctx()
    group = LogGroup("/app/a", "", ctx.now - timedelta(days=360), None, 100_000_000_000)
    found = evaluate(LogsLogGroupNoRetention(), [group], ctx)
    # 10^11 B = 93.1323 GiB x (360-90)/360 = 69.849 GiB x $0.03 = 2.0955
    assert found[0].estimated_monthly_savings == Decimal("2.10")
    assert "69.849 GiB" in found[0].savings_formula


def test_groups_with_retention_from_moto_not_flagged(aws, make_ctx, evaluate):
    logs = boto3.client("logs", region_name="us-east-1")
    logs.create_log_group(logGroupName="/kept")
    logs.put_retention_policy(logGroupName="/kept", retentionInDays=30)
    logs.create_log_group(logGroupName="/forever")
    ctx = make_ctx()
    check = LogsLogGroupNoRetention()
    found = evaluate(check, check.collect(ctx), ctx)
    assert [f.resource_name for f in found] == ["/forever"]
