from datetime import timedelta
from decimal import Decimal

import boto3

from checks.s3.s3_bucket_no_lifecycle.check import S3BucketNoLifecycle
from checks.services.s3 import Bucket


def test_bucket_without_lifecycle_priced_on_cold_share(make_ctx, evaluate):
    ctx = make_ctx()
    b = Bucket("data", ctx.now - timedelta(days=100), False, False, 1_000_000_000_000)
    found = evaluate(S3BucketNoLifecycle(), [b], ctx)
    # 10^12 B = 931.323 GiB; x 0.5 = 465.662 GiB x (0.023 - 0.0125) = 4.889 (GB would say 5.25)
    assert found[0].estimated_monthly_savings == Decimal("4.89")
    exact = Bucket("tib", ctx.now - timedelta(days=100), False, False, 2**40)
    # 1024 GiB x 0.5 x 0.0105 = 5.376
    assert evaluate(S3BucketNoLifecycle(), [exact], ctx)[0].estimated_monthly_savings == \
        Decimal("5.38")


def test_lifecycle_from_moto_and_unknown_size(aws, make_ctx, evaluate):
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="with-rules")
    s3.put_bucket_lifecycle_configuration(
        Bucket="with-rules",
        LifecycleConfiguration={"Rules": [{"ID": "x", "Status": "Enabled", "Filter": {},
                                           "Expiration": {"Days": 30}}]})
    s3.create_bucket(Bucket="without-rules")
    ctx = make_ctx()
    check = S3BucketNoLifecycle()
    found = evaluate(check, check.collect(ctx), ctx)
    assert [f.resource_id for f in found] == ["without-rules"]
    assert found[0].estimated_monthly_savings is None  # no BucketSizeBytes metric in moto
    assert found[0].confidence <= 0.3
