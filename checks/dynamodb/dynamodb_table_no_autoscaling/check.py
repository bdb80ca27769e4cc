"""Provisioned tables with a fixed capacity nobody scales: sized for the peak, paid always."""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal
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
from checks.model import Check, ScanContext, load_meta
from checks.pricing import Term, estimate, fixed, unknown
from contracts.finding import Finding


class DynamodbTableNoAutoscaling(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> Models:
        return collect(ctx, int(ctx.config.for_check(self.meta).get("lookback_days")))

    def evaluate(self, models: Models, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        target = cfg.get("target_utilization")
        for t in models.resources:
            if t.billing_mode != "PROVISIONED":
                continue
            terms: list[Term] = []
            details: dict[str, Any] = {}
            unscaled: list[str] = []
            blind: list[str] = []
            for kind, _, key in DIMENSIONS:
                units = provisioned(t, kind)
                if units == 0 or (t.autoscaled_read if kind == "read" else t.autoscaled_write):
                    continue
                series = models.consumed.get((t.name, kind))
                unscaled.append(kind)
                if series is None or not series.has_data:
                    # no published use: the right capacity (and the saving) is unknown
                    blind.append(kind)
                    details[kind] = {"provisioned": units, "mean_consumed_per_s": "unknown"}
                    continue
                mean, _ = per_second(series)
                wanted = max(1, math.ceil(mean / target))
                details[kind] = {"provisioned": units, "mean_consumed_per_s": round(mean, 3),
                                 "autoscaled_estimate": wanted}
                if wanted < units:
                    terms += [capacity_term(kind, key, units),
                              capacity_term(kind, key, wanted, sign=-1)]
            if not unscaled:
                continue
            if blind:
                est = unknown(f"no consumed-capacity metrics for {' and '.join(blind)}",
                              "metric:AWS/DynamoDB:ConsumedCapacityUnits")
            elif terms:
                est = estimate(ctx.prices, ctx.region, terms,
                               note=f"auto scaling at {target:.0%} target utilization")
            else:
                est = fixed(Decimal(0), "provisioned capacity already matches use: no saving")
            yield self.finding(
                ctx, cfg,
                resource_id=t.arn,
                resource_name=t.name,
                title=f"DynamoDB table {t.name}: no auto scaling on {' and '.join(unscaled)} "
                      "capacity",
                estimate=est,
                confidence=0.6,
                details=details,
                group=f"{ctx.arn(self.meta.resource_type, t.arn)}#capacity",
            )
