"""Per-bucket failures skip that bucket with a recorded error instead of blinding the scan."""

import boto3

from checks.services.base import CollectionFailed
from checks.services.s3 import S3Service


def test_unreadable_lifecycle_skips_only_that_bucket(aws, make_ctx, monkeypatch):
    s3 = boto3.client("s3", region_name="us-east-1")
    for name in ("open-bucket", "locked-bucket"):
        s3.create_bucket(Bucket=name)
    original = S3Service._lifecycle_rules

    def guarded(self, bucket):
        if bucket == "locked-bucket":
            raise CollectionFailed("s3", "GetBucketLifecycleConfiguration", "AccessDenied", "no")
        return original(self, bucket)

    monkeypatch.setattr(S3Service, "_lifecycle_rules", guarded)
    ctx = make_ctx()
    buckets = ctx.service(S3Service).buckets()
    assert [b.name for b in buckets] == ["open-bucket"]
    assert [(e.code, e.operation) for e in ctx.errors] == [
        ("AccessDenied", "GetBucketLifecycleConfiguration")]
    assert "locked-bucket" in ctx.errors[0].message


def test_buckets_of_other_regions_are_left_to_their_scan(aws, make_ctx):
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="home-bucket")
    s3.create_bucket(Bucket="away-bucket",
                     CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert [n for n, _ in make_ctx().service(S3Service).bucket_names()] == ["home-bucket"]
    assert [n for n, _ in make_ctx(region="eu-west-1").service(S3Service).bucket_names()] == [
        "away-bucket"]


def test_bucket_region_from_list_buckets_saves_location_calls(make_ctx, monkeypatch):
    from datetime import UTC, datetime

    calls = []
    svc = make_ctx(region="eu-west-1").service(S3Service)
    listing = [{"Name": "a-bucket", "CreationDate": datetime(2024, 1, 1, tzinfo=UTC),
                "BucketRegion": "eu-west-1"},
               {"Name": "b-bucket", "CreationDate": datetime(2024, 1, 1, tzinfo=UTC),
                "BucketRegion": "us-east-1"}]
    monkeypatch.setattr(svc, "paginate", lambda op, key, **kw: listing)
    monkeypatch.setattr(svc, "call", lambda op, **kw: calls.append(op))
    assert [n for n, _ in svc.bucket_names()] == ["a-bucket"]
    assert calls == []
