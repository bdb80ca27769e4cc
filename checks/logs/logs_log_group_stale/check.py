"""Log groups nothing writes to any more: the stored data is billed until deleted."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from checks.aged import Old, OldByAgeCheck
from checks.config import CheckConfig
from checks.model import ScanContext, days_between, load_meta
from checks.pricing import Term, estimate, gib_of
from checks.services.base import CollectionFailed
from checks.services.logs import LogGroup, LogsService


@dataclass(frozen=True)
class Models:
    resources: list[LogGroup]
    last_event: dict[str, datetime | None]


class LogsLogGroupStale(OldByAgeCheck):
    meta = load_meta(__file__)
    threshold = "max_idle_days"

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

    def candidates(self, models: Models, cfg: CheckConfig) -> Iterable[LogGroup]:
        return [g for g in models.resources if g.name in models.last_event]  # old enough

    def since(self, ctx: ScanContext, g: LogGroup, models: Models) -> datetime:
        return models.last_event[g.name] or g.created

    def old(self, ctx: ScanContext, cfg: CheckConfig, g: LogGroup, idle: float,
            models: Models) -> Old:
        last = models.last_event[g.name]
        gb = gib_of(g.stored_bytes)
        return Old(g.arn or g.name, f"Log group {g.name} received no events for {idle:.0f} days",
                   estimate(ctx.prices, ctx.region,
                            [Term(gb, f"{gb} GiB stored", "logs:storage:gb-month")]),
                   0.8,
                   {"last_event": last.isoformat() if last else "never",
                    "idle_days": round(idle, 1), "stored_bytes": g.stored_bytes},
                   name=g.name)
