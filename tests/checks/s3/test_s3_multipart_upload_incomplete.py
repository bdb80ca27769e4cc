from datetime import timedelta
from decimal import Decimal

import boto3

from checks.s3.s3_multipart_upload_incomplete.check import S3MultipartUploadIncomplete
from checks.services.s3 import MultipartUpload


def test_stale_uploads_grouped_per_bucket(make_ctx, evaluate):
    ctx = make_ctx()
    old = ctx.now - timedelta(days=30)
    ups = [MultipartUpload("b1", "k1", "u1", old, 60_000_000_000),
           MultipartUpload("b1", "k2", "u2", old, 40_000_000_000),
           MultipartUpload("b2", "k3", "u3", ctx.now - timedelta(days=1), 10**12)]
    found = evaluate(S3MultipartUploadIncomplete(), ups, ctx)
    assert [f.resource_id for f in found] == ["b1"]
    assert found[0].estimated_monthly_savings == Decimal("2.14")  # 10^11 B = 93.132257 GiB x $0.023
    assert found[0].details["uploads"] == 2


def test_uploads_collected_from_moto_are_fresh(aws, make_ctx, evaluate):
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="uploads")
    up = s3.create_multipart_upload(Bucket="uploads", Key="big.bin")
    s3.upload_part(Bucket="uploads", Key="big.bin", UploadId=up["UploadId"], PartNumber=1,
                   Body=b"x" * 1024)
    ctx = make_ctx(now=make_ctx().now.replace(year=2099))
    check = S3MultipartUploadIncomplete()
    models = check.collect(ctx)
    assert models[0].size_bytes == 1024
    assert [f.resource_id for f in evaluate(check, models, ctx)] == ["uploads"]
