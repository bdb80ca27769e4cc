"""Disabled customer-managed keys cost the same $1 a month as enabled ones."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from checks.config import CheckConfig
from checks.model import Check, ScanContext, days_between, load_meta
from checks.pricing import Term, estimate
from checks.services.kms import Key, KMSService
from contracts.finding import Finding


class KmsKeyDisabled(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> list[Key]:
        return ctx.service(KMSService).keys()

    def evaluate(self, models: list[Key], cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        for key in models:
            if key.manager != "CUSTOMER" or key.state != "Disabled":
                continue  # AWS-managed keys are free; PendingDeletion is already handled
            age = days_between(key.created, ctx.now)
            if age < cfg.get("min_disabled_days"):
                continue
            yield self.finding(
                ctx, cfg,
                resource_id=key.arn,
                resource_name=key.description or key.id,
                title=f"KMS key {key.id} is disabled but still billed",
                estimate=estimate(ctx.prices, ctx.region,
                                  [Term(Decimal(1), "1 key", "kms:key:month")]),
                confidence=0.7,
                details={"state": key.state, "age_days": round(age, 1)},
                group=self.disposition(ctx, self.meta.resource_type, key.arn),
            )
