"""S3 buckets in the scan's region: lifecycle configuration, size, incomplete uploads.

ListBuckets is global; each bucket is judged only by the scan of the region it lives in, so a
multi-region scan reports every bucket exactly once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from checks.services.base import CollectionFailed, ServiceBase, cached
from checks.services.cloudwatch import CloudWatchService, query
from checks.services.ec2 import utc


@dataclass(frozen=True)
class Bucket:
    name: str
    created: datetime
    has_lifecycle: bool
    aborts_multipart: bool  # a lifecycle rule with AbortIncompleteMultipartUpload
    standard_bytes: float | None  # BucketSizeBytes (StandardStorage); None: no metric


@dataclass(frozen=True)
class MultipartUpload:
    bucket: str
    key: str
    upload_id: str
    initiated: datetime
    size_bytes: int


class S3Service(ServiceBase):
    name = "s3"

    @cached
    def bucket_names(self) -> list[tuple[str, datetime]]:
        raw = self.paginate("ListBuckets", "Buckets")
        out = []
        for b in raw:
            region = b.get("BucketRegion")  # ListBuckets has carried it since 2024
            if region is None:
                location = self.per_resource(
                    b["Name"], partial(self.call, "GetBucketLocation", Bucket=b["Name"]))
                if location is None:
                    continue
                region = location.get("LocationConstraint")
            region = {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}.get(region, region)
            if region == self.ctx.region:
                out.append((b["Name"], utc(b["CreationDate"])))
        return out

    @cached
    def buckets(self) -> list[Bucket]:
        names = self.bucket_names()
        sizes = self.ctx.service(CloudWatchService).series(
            [self._size_query(n) for n, _ in names], 3)
        out = []
        for name, created in names:
            try:
                rules = self._lifecycle_rules(name)
            except CollectionFailed as exc:  # unreadable is not "absent": skip, recorded
                self.ctx.record(exc.service, exc.operation, exc.code,
                                f"{name}: skipped, {exc.message}")
                continue
            series = sizes[self._size_query(name)]
            out.append(Bucket(
                name=name,
                created=created,
                has_lifecycle=rules is not None,
                aborts_multipart=any(
                    "AbortIncompleteMultipartUpload" in r and r.get("Status") == "Enabled"
                    for r in rules or []
                ),
                standard_bytes=series.values[-1] if series.has_data else None,
            ))
        return out

    @staticmethod
    def _size_query(bucket: str) -> Any:
        return query("AWS/S3", "BucketSizeBytes", "Average", BucketName=bucket,
                     StorageType="StandardStorage")

    def _lifecycle_rules(self, bucket: str) -> list[dict[str, Any]] | None:
        try:
            return self.call("GetBucketLifecycleConfiguration", Bucket=bucket).get("Rules") or []
        except CollectionFailed as exc:
            if exc.code == "NoSuchLifecycleConfiguration":
                return None
            raise

    @cached
    def multipart_uploads(self) -> list[MultipartUpload]:
        out = []
        for name, _ in self.bucket_names():
            uploads = self.per_resource(
                name, partial(self.paginate, "ListMultipartUploads", "Uploads", Bucket=name))
            for up in uploads or []:
                try:
                    parts = self.paginate("ListParts", "Parts", Bucket=name, Key=up["Key"],
                                          UploadId=up["UploadId"])
                    out.append(MultipartUpload(name, up["Key"], up["UploadId"],
                                               utc(up["Initiated"]),
                                               sum(int(p.get("Size", 0)) for p in parts)))
                except KeyError as exc:
                    self.record_malformed("ListMultipartUploads", f"{name}/{up.get('Key')}", exc)
        return out
