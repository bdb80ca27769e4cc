"""x86 Lambda functions on interpreted runtimes: arm64 is 20% cheaper per GB-second."""

from __future__ import annotations

from collections.abc import Iterable

from checks.config import CheckConfig
from checks.lambda_usage import Models, collect, monthly_gb_seconds
from checks.model import Check, ScanContext, load_meta
from checks.pricing import Term, estimate
from contracts.finding import Finding

PORTABLE_RUNTIMES = ("python", "nodejs", "ruby", "java")


class LambdaFunctionGravitonCandidate(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> Models:
        return collect(ctx, int(ctx.config.for_check(self.meta).get("lookback_days")))

    def evaluate(self, models: Models, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        days = cfg.get("lookback_days")
        for fn in models.resources:
            if fn.architecture != "x86_64" or fn.package_type != "Zip":
                continue
            if not fn.runtime.startswith(PORTABLE_RUNTIMES):
                continue
            series = models.duration_sum.get(fn.name)
            if series is None or not series.has_data or series.total <= 0:
                continue  # not invoked: nothing to save
            gbs = monthly_gb_seconds(fn, series.total, days)
            label = f"{gbs} GB-s/month"
            est = estimate(ctx.prices, ctx.region, [
                Term(gbs, label, "lambda:x86_64:gb-second"),
                Term(gbs, label, "lambda:arm64:gb-second", sign=-1),
            ])
            yield self.finding(
                ctx, cfg,
                resource_id=fn.arn,
                resource_name=fn.name,
                title=f"Lambda function {fn.name} ({fn.runtime}) could run on arm64",
                estimate=est,
                confidence=0.7,
                details={"runtime": fn.runtime, "memory_mb": fn.memory_mb,
                         "monthly_gb_seconds": str(gbs), "lookback_days": days},
                group=f"{ctx.arn(self.meta.resource_type, fn.arn)}#architecture",
            )
