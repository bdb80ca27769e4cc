from datetime import timedelta
from decimal import Decimal

import boto3

from checks.kms.kms_key_disabled.check import KmsKeyDisabled
from checks.services.kms import Key

ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_disabled_keys_from_moto(aws, make_ctx, evaluate):
    kms = boto3.client("kms", region_name="us-east-1")
    off = kms.create_key(Description="old")["KeyMetadata"]["KeyId"]
    kms.create_key(Description="live")
    kms.disable_key(KeyId=off)
    ctx = make_ctx(now=make_ctx().now.replace(year=2099))
    check = KmsKeyDisabled()
    found = evaluate(check, check.collect(ctx), ctx)
    assert [f.resource_name for f in found] == ["old"]
    assert found[0].estimated_monthly_savings == Decimal("1.00")


def test_aws_managed_recent_or_enabled_keys_not_flagged(make_ctx, evaluate):
    ctx = make_ctx()
    old = ctx.now - timedelta(days=400)
    keys = [Key("a", ARN, "Disabled", "AWS", old), Key("b", ARN, "Enabled", "CUSTOMER", old),
            Key("c", ARN, "Disabled", "CUSTOMER", ctx.now - timedelta(days=3)),
            Key("d", ARN, "PendingDeletion", "CUSTOMER", old)]
    assert evaluate(KmsKeyDisabled(), keys, ctx) == []
