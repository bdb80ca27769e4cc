"""Log groups set to 'Never expire' pay for every byte ever logged."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from checks.config import CheckConfig
from checks.model import Check, ScanContext, days_between, load_meta
from checks.pricing import GIB, Term, estimate
from checks.services.logs import LogGroup, LogsService
from contracts.finding import Finding


class LogsLogGroupNoRetention(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> list[LogGroup]:
        return ctx.service(LogsService).log_groups()

    def evaluate(self, models: list[LogGroup], cfg: CheckConfig,
                 ctx: ScanContext) -> Iterable[Finding]:
        keep = cfg.get("suggested_retention_days")
        for g in models:
            if g.retention_days is not None:
                continue
            stored_gb = Decimal(g.stored_bytes) / GIB
            if stored_gb < Decimal(str(cfg.get("min_stored_gb"))):
                continue
            age = max(days_between(g.created, ctx.now), 1.0)
            expiring = Decimal(str(round(max(0.0, (age - keep) / age), 4)))
            gb = (stored_gb * expiring).quantize(Decimal("0.001"))
            est = estimate(
                ctx.prices, ctx.region,
                [Term(gb, f"{gb} GiB ({stored_gb:.3f} GiB stored x {expiring} older than "
                          f"{keep} d)", "logs:storage:gb-month")],
                note="assumes even ingestion over the group's life",
            )
            yield self.finding(
                ctx, cfg,
                resource_id=g.arn or g.name,
                resource_name=g.name,
                title=f"Log group {g.name} never expires ({stored_gb:.2f} GiB stored)",
                estimate=est,
                confidence=0.6,
                details={"stored_bytes": g.stored_bytes, "age_days": round(age, 1),
                         "suggested_retention_days": keep},
                group=self.disposition(ctx, self.meta.resource_type, g.arn or g.name),
            )
