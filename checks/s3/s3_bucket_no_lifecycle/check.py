"""Buckets without lifecycle rules keep every object in its first storage class forever."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from checks.config import CheckConfig
from checks.model import Check, ScanContext, load_meta
from checks.pricing import Term, estimate, gib_of, unknown
from checks.services.s3 import Bucket, S3Service
from contracts.finding import Finding


class S3BucketNoLifecycle(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> list[Bucket]:
        return ctx.service(S3Service).buckets()

    def evaluate(self, models: list[Bucket], cfg: CheckConfig,
                 ctx: ScanContext) -> Iterable[Finding]:
        cold = Decimal(str(cfg.get("assumed_cold_fraction")))
        for b in models:
            if b.has_lifecycle:
                continue
            if b.standard_bytes is None:
                gb = None
            else:
                gb = gib_of(b.standard_bytes)
                if gb < Decimal(str(cfg.get("min_size_gb"))):
                    continue
            if gb is None:
                est = unknown("bucket size unknown (no BucketSizeBytes metric)",
                              "metric:AWS/S3:BucketSizeBytes")
            else:
                moved = (gb * cold).quantize(Decimal("0.001"))
                label = f"{moved} GiB ({gb} GiB x {cold} assumed cold)"
                est = estimate(ctx.prices, ctx.region, [
                    Term(moved, label, "s3:standard:gb-month"),
                    Term(moved, label, "s3:standard-ia:gb-month", sign=-1)],
                    note="transition of the cold share to Standard-IA")
            yield self.finding(
                ctx, cfg,
                resource_id=b.name,
                resource_name=b.name,
                title=f"S3 bucket {b.name} has no lifecycle rules",
                estimate=est,
                confidence=0.4,
                details={"standard_bytes": b.standard_bytes,
                         "assumed_cold_fraction": str(cold)},
                group=f"{ctx.arn(self.meta.resource_type, b.name)}#lifecycle",
            )
