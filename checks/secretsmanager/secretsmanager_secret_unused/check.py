"""Secrets nobody has read for months still cost $0.40 each, every month."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from checks.aged import Old, OldByAgeCheck
from checks.config import CheckConfig
from checks.model import ScanContext, load_meta
from checks.pricing import Term, estimate
from checks.services.secretsmanager import Secret, SecretsManagerService


class SecretsmanagerSecretUnused(OldByAgeCheck):
    meta = load_meta(__file__)
    threshold = "max_unused_days"

    def collect(self, ctx: ScanContext) -> list[Secret]:
        return ctx.service(SecretsManagerService).secrets()

    def candidates(self, models: list[Secret], cfg: CheckConfig) -> Iterable[Secret]:
        return [s for s in models if not s.deleted]

    def since(self, ctx: ScanContext, s: Secret, models: object) -> datetime:
        # LastAccessedDate is a date (midnight UTC); a never-read secret counts from creation
        return s.last_accessed or s.created

    def old(self, ctx: ScanContext, cfg: CheckConfig, s: Secret, idle: float,
            models: object) -> Old:
        return Old(s.arn, f"Secret {s.name} not accessed for {idle:.0f} days",
                   estimate(ctx.prices, ctx.region,
                            [Term(Decimal(1), "1 secret", "secretsmanager:secret:month")]),
                   0.8 if s.last_accessed else 0.7,
                   {"last_accessed": s.last_accessed.isoformat() if s.last_accessed
                    else "never", "idle_days": round(idle, 1)},
                   name=s.name)
