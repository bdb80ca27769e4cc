"""Abandoned multipart uploads: billed storage that no object listing shows."""

from __future__ import annotations

from collections.abc import Iterable

from checks.config import CheckConfig
from checks.model import Check, ScanContext, days_between, load_meta
from checks.pricing import Term, estimate, gib_of
from checks.services.s3 import MultipartUpload, S3Service
from contracts.finding import Finding


class S3MultipartUploadIncomplete(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> list[MultipartUpload]:
        return ctx.service(S3Service).multipart_uploads()

    def evaluate(self, models: list[MultipartUpload], cfg: CheckConfig,
                 ctx: ScanContext) -> Iterable[Finding]:
        min_age = cfg.get("min_age_days")
        stale: dict[str, list[MultipartUpload]] = {}
        for up in models:
            if days_between(up.initiated, ctx.now) > min_age:
                stale.setdefault(up.bucket, []).append(up)
        for bucket, ups in sorted(stale.items()):
            size = sum(u.size_bytes for u in ups)
            gb = gib_of(size, "0.000001")
            oldest = min(u.initiated for u in ups)
            yield self.finding(
                ctx, cfg,
                resource_id=bucket,
                resource_name=bucket,
                title=f"S3 bucket {bucket} has {len(ups)} incomplete multipart uploads older "
                      f"than {min_age} days",
                estimate=estimate(ctx.prices, ctx.region,
                                  [Term(gb, f"{gb} GiB of parts", "s3:standard:gb-month")]),
                confidence=0.9,
                details={"uploads": len(ups), "bytes": size,
                         "oldest_initiated": oldest.isoformat(),
                         "keys": sorted({u.key for u in ups})[:20]},
                group=f"{ctx.arn(self.meta.resource_type, bucket)}#multipart",
            )
