"""On-demand tables whose traffic is steady enough that capacity would cost less than requests."""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from checks.config import CheckConfig
from checks.dynamodb.capacity import DIMENSIONS, Models, capacity_term, collect, per_second
from checks.model import Check, ScanContext, days_between, load_meta
from checks.pricing import HOURS_PER_MONTH, Term, estimate
from contracts.finding import Finding

REQUEST_KEYS = {"read": "dynamodb:rru:request", "write": "dynamodb:wru:request"}
DAYS_PER_MONTH = HOURS_PER_MONTH / 24


class DynamodbTableOnDemandToProvisioned(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> Models:
        days = int(ctx.config.for_check(self.meta).get("lookback_days"))
        return collect(ctx, days, mode="PAY_PER_REQUEST")

    def evaluate(self, models: Models, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        days, headroom = cfg.get("lookback_days"), cfg.get("headroom")
        for t in models.resources:
            if t.billing_mode != "PAY_PER_REQUEST" or days_between(t.created, ctx.now) < days:
                continue
            terms: list[Term] = []
            details: dict[str, Any] = {}
            for kind, _, key in DIMENSIONS:
                series = models.consumed.get((t.name, kind))
                if series is None or not series.has_data:
                    continue
                monthly = (Decimal(str(series.total)) / days * DAYS_PER_MONTH).quantize(Decimal(1))
                units = max(1, math.ceil(per_second(series)[1] * headroom))
                details[kind] = {"consumed_in_window": series.total,
                                 "peak_hour_per_s": round(per_second(series)[1], 3),
                                 "provisioned_units": units}
                terms += [Term(monthly, f"{monthly} {kind} request units/month",
                               REQUEST_KEYS[kind]),
                          capacity_term(kind, key, units, sign=-1)]
            if not terms:
                continue  # nothing consumed was published: no evidence
            est = estimate(ctx.prices, ctx.region, terms,
                           note=f"on-demand over {days} d vs busiest hour x {headroom} provisioned")
            if est.amount is None or est.amount <= 0:
                continue
            yield self.finding(
                ctx, cfg,
                resource_id=t.arn,
                resource_name=t.name,
                title=f"On-demand DynamoDB table {t.name} would cost less provisioned",
                estimate=est,
                confidence=0.6,
                details=details,
                group=f"{ctx.arn(self.meta.resource_type, t.arn)}#capacity",
            )
