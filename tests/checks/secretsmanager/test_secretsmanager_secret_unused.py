from datetime import timedelta
from decimal import Decimal

import boto3

from checks.secretsmanager.secretsmanager_secret_unused.check import SecretsmanagerSecretUnused
from checks.services.secretsmanager import Secret

ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf"


def test_unread_secret_flagged(make_ctx, evaluate):
    ctx = make_ctx()
    s = Secret("s", ARN, ctx.now - timedelta(days=400), ctx.now - timedelta(days=120), False)
    found = evaluate(SecretsmanagerSecretUnused(), [s], ctx)
    assert found[0].estimated_monthly_savings == Decimal("0.40")


def test_recently_read_or_deleted_secret_not_flagged(make_ctx, evaluate):
    ctx = make_ctx()
    read = Secret("s", ARN, ctx.now - timedelta(days=400), ctx.now - timedelta(days=2), False)
    deleted = Secret("d", ARN, ctx.now - timedelta(days=400), None, True)
    assert evaluate(SecretsmanagerSecretUnused(), [read, deleted], ctx) == []


def test_never_read_secret_from_moto_counts_from_creation(aws, make_ctx, evaluate):
    boto3.client("secretsmanager", region_name="us-east-1").create_secret(Name="db", SecretString="x")
    ctx = make_ctx(now=make_ctx().now.replace(year=2099))
    check = SecretsmanagerSecretUnused()
    found = evaluate(check, check.collect(ctx), ctx)
    assert [f.resource_name for f in found] == ["db"]
