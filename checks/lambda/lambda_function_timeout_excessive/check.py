"""Timeouts far above real durations: a hung invocation runs (and bills) until the limit."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from checks.config import CheckConfig
from checks.lambda_usage import Models, collect
from checks.model import Check, ScanContext, load_meta
from checks.pricing import fixed
from contracts.finding import Finding


class LambdaFunctionTimeoutExcessive(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> Models:
        return collect(ctx, int(ctx.config.for_check(self.meta).get("lookback_days")))

    def evaluate(self, models: Models, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        for fn in models.resources:
            if fn.timeout_s < cfg.get("min_timeout_s"):
                continue
            series = models.duration_max.get(fn.name)
            if series is None or not series.has_data or series.maximum <= 0:
                continue  # never invoked in the window: no observed duration to compare
            observed_s = series.maximum / 1000
            ratio = fn.timeout_s / observed_s
            if ratio < cfg.get("min_ratio"):
                continue
            price = ctx.prices.get(ctx.region, f"lambda:{fn.architecture}:gb-second")
            runaway = None
            if price is not None:
                gb = Decimal(fn.memory_mb) / 1024
                runaway = str((Decimal(fn.timeout_s) * gb * price.amount).quantize(
                    Decimal("0.000001")))
            yield self.finding(
                ctx, cfg,
                resource_id=fn.arn,
                resource_name=fn.name,
                title=f"Lambda function {fn.name}: timeout {fn.timeout_s}s is {ratio:.0f}x its "
                      f"longest run ({observed_s:.1f}s)",
                estimate=fixed(Decimal(0), "billing follows actual duration: no steady-state "
                               "saving; caps the cost of runaway invocations"),
                confidence=0.8,
                details={"timeout_s": fn.timeout_s, "max_duration_s": round(observed_s, 3),
                         "worst_case_cost_per_invocation_usd": runaway},
                group=f"{ctx.arn(self.meta.resource_type, fn.arn)}#timeout",
            )
