"""Log groups nothing writes to any more: the stored data is billed until deleted."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from checks.config import CheckConfig
from checks.model import Check, ScanContext, days_between, load_meta
from checks.pricing import Term, estimate, gib_of
from checks.services.base import CollectionFailed
from checks.services.logs import LogGroup, LogsService
from contracts.finding import Finding


@dataclass(frozen=True)
class Models:
    resources: list[LogGroup]
    last_event: dict[str, datetime | None]


class LogsLogGroupStale(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> Models:
        logs = ctx.service(LogsService)
        groups = logs.log_groups()
        max_idle = ctx.config.for_check(self.meta).get("max_idle_days")
        old = [g for g in groups if days_between(g.created, ctx.now) > max_idle]
        last: dict[str, datetime | None] = {}
        for g in old:
            try:
                last[g.name] = logs.last_event(g.name)
            except CollectionFailed as exc:  # that group stays unjudged, and says why
                ctx.record(exc.service, exc.operation, exc.code, f"{g.name}: {exc.message}",
                           check_id=self.meta.id)
        return Models(groups, last)

    def evaluate(self, models: Models, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        max_idle = cfg.get("max_idle_days")
        for g in models.resources:
            if g.name not in models.last_event or days_between(g.created, ctx.now) <= max_idle:
                continue
            last = models.last_event[g.name]
            idle = days_between(last or g.created, ctx.now)
            if idle <= max_idle:
                continue
            gb = gib_of(g.stored_bytes)
            yield self.finding(
                ctx, cfg,
                resource_id=g.arn or g.name,
                resource_name=g.name,
                title=f"Log group {g.name} received no events for {idle:.0f} days",
                estimate=estimate(ctx.prices, ctx.region,
                                  [Term(gb, f"{gb} GiB stored", "logs:storage:gb-month")]),
                confidence=0.8,
                details={"last_event": last.isoformat() if last else "never",
                         "idle_days": round(idle, 1), "stored_bytes": g.stored_bytes},
                group=self.disposition(ctx, self.meta.resource_type, g.arn or g.name),
            )
