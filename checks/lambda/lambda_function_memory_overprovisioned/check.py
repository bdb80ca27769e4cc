"""Functions configured with far more memory than their invocations ever use."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from checks.config import CheckConfig
from checks.lambda_usage import Models as Usage
from checks.lambda_usage import collect as collect_usage
from checks.lambda_usage import monthly_gb_seconds
from checks.model import Check, ScanContext, load_meta
from checks.pricing import Term, estimate
from checks.services.lambda_ import Function
from checks.services.logs import LogsService
from contracts.finding import Finding

MIN_MEMORY_MB = 128


@dataclass(frozen=True)
class Models:
    usage: Usage
    max_used_mb: dict[str, int | None]

    @property
    def resources(self) -> list[Function]:
        return self.usage.resources


class LambdaFunctionMemoryOverprovisioned(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> Models:
        cfg = ctx.config.for_check(self.meta)
        days = int(cfg.get("lookback_days"))
        usage = collect_usage(ctx, days)
        logs = ctx.service(LogsService)
        used = {f.name: logs.lambda_max_memory_mb(f.name, days) for f in usage.resources
                if f.memory_mb >= cfg.get("min_memory_mb")}
        return Models(usage, used)

    def evaluate(self, models: Models, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        days = cfg.get("lookback_days")
        for fn in models.resources:
            if fn.memory_mb < cfg.get("min_memory_mb"):
                continue
            used = models.max_used_mb.get(fn.name)
            if used is None:
                continue  # no REPORT lines: never invoked in the window or logs elsewhere
            if used / fn.memory_mb >= cfg.get("max_used_fraction"):
                continue
            rec = max(MIN_MEMORY_MB, math.ceil(used * cfg.get("headroom") / 64) * 64)
            if rec >= fn.memory_mb:
                continue
            series = models.usage.duration_sum.get(fn.name)
            total_ms = series.total if series is not None else 0.0
            gbs = monthly_gb_seconds(fn, total_ms, days)
            share = (Decimal(fn.memory_mb - rec) / Decimal(fn.memory_mb)).quantize(
                Decimal("0.0001"))
            cut = (gbs * share).quantize(Decimal("0.001"))
            key = f"lambda:{fn.architecture}:gb-second"
            est = estimate(ctx.prices, ctx.region, [
                Term(cut, f"{gbs} GB-s/month x {share} ({fn.memory_mb} -> {rec} MB)", key)],
                note="assumes duration unchanged")
            yield self.finding(
                ctx, cfg,
                resource_id=fn.arn,
                resource_name=fn.name,
                title=f"Lambda function {fn.name} uses at most {used} of {fn.memory_mb} MB",
                estimate=est,
                confidence=0.6,
                details={"memory_mb": fn.memory_mb, "max_used_mb": used,
                         "recommended_mb": rec, "monthly_gb_seconds": str(gbs)},
                group=f"{ctx.arn(self.meta.resource_type, fn.arn)}#memory",
            )
