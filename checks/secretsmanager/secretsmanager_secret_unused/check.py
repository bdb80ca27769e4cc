"""Secrets nobody has read for months still cost $0.40 each, every month."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from checks.config import CheckConfig
from checks.model import Check, ScanContext, days_between, load_meta
from checks.pricing import Term, estimate
from checks.services.secretsmanager import Secret, SecretsManagerService
from contracts.finding import Finding


class SecretsmanagerSecretUnused(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> list[Secret]:
        return ctx.service(SecretsManagerService).secrets()

    def evaluate(self, models: list[Secret], cfg: CheckConfig,
                 ctx: ScanContext) -> Iterable[Finding]:
        max_days = cfg.get("max_unused_days")
        for s in models:
            if s.deleted:
                continue
            # LastAccessedDate is a date (midnight UTC); a never-read secret counts from creation
            since = s.last_accessed or s.created
            idle = days_between(since, ctx.now)
            if idle <= max_days:
                continue
            yield self.finding(
                ctx, cfg,
                resource_id=s.arn,
                resource_name=s.name,
                title=f"Secret {s.name} not accessed for {idle:.0f} days",
                estimate=estimate(ctx.prices, ctx.region,
                                  [Term(Decimal(1), "1 secret", "secretsmanager:secret:month")]),
                confidence=0.8 if s.last_accessed else 0.7,
                details={"last_accessed": s.last_accessed.isoformat() if s.last_accessed
                         else "never", "idle_days": round(idle, 1)},
                group=self.disposition(ctx, self.meta.resource_type, s.arn),
            )
