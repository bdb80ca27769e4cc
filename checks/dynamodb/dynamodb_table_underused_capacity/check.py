"""Provisioned capacity far above even the busiest hour's use."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from checks.config import CheckConfig
from checks.dynamodb.capacity import (
    DIMENSIONS,
    Models,
    capacity_term,
    collect,
    per_second,
    provisioned,
)
from checks.model import Check, ScanContext, days_between, load_meta
from checks.pricing import Term, estimate
from contracts.finding import Finding


class DynamodbTableUnderusedCapacity(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> Models:
        return collect(ctx, int(ctx.config.for_check(self.meta).get("lookback_days")))

    def evaluate(self, models: Models, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        limit, headroom = cfg.get("max_utilization"), cfg.get("headroom")
        for t in models.resources:
            if t.billing_mode != "PROVISIONED":
                continue
            if days_between(t.created, ctx.now) < cfg.get("lookback_days"):
                continue
            terms: list[Term] = []
            details: dict[str, Any] = {}
            for kind, _, key in DIMENSIONS:
                units = provisioned(t, kind)
                series = models.consumed.get((t.name, kind))
                if units == 0 or series is None or not series.has_data:
                    continue  # no published use: no evidence for a number
                _, peak = per_second(series)
                if peak / units >= limit:
                    continue
                wanted = max(1, math.ceil(peak * headroom))
                if wanted >= units:
                    continue
                details[kind] = {"provisioned": units, "peak_consumed_per_s": round(peak, 3),
                                 "recommended": wanted}
                terms += [capacity_term(kind, key, units),
                          capacity_term(kind, key, wanted, sign=-1)]
            if not terms:
                continue
            yield self.finding(
                ctx, cfg,
                resource_id=t.arn,
                resource_name=t.name,
                title=f"DynamoDB table {t.name} uses under {limit:.0%} of its provisioned "
                      f"{' and '.join(details)} capacity",
                estimate=estimate(ctx.prices, ctx.region, terms,
                                  note=f"peak hour x {headroom} headroom"),
                confidence=0.7,
                details=details,
                group=f"{ctx.arn(self.meta.resource_type, t.arn)}#capacity",
            )
