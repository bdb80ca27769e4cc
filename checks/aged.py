"""One shape for "old by an age threshold": a resource whose reference time (created, last
pushed, stopped, last read ...) lies more than a threshold's days before the scan. A check of
this shape is its metadata, which resources it judges, the time each is aged from and the
finding it makes of an old one; the loop, the threshold and the disposition group live here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from checks.config import CheckConfig
from checks.model import Check, ScanContext, days_between
from checks.pricing import Estimate
from contracts.finding import Finding


@dataclass(frozen=True)
class Old:
    """What an old resource's finding says (the base adds thresholds and the group)."""

    resource_id: str
    title: str
    estimate: Estimate
    confidence: float
    details: Mapping[str, Any]
    name: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    group: str | None = None  # default: the resource's #disposition group


class OldByAgeCheck(Check):
    """Subclasses set `threshold` (the thresholds key holding the days) and implement
    `candidates` (the resources in a state to judge), `since` (the time a resource is aged
    from, or None to leave it unjudged) and `old`."""

    threshold: ClassVar[str] = "max_age_days"

    def candidates(self, models: Any, cfg: CheckConfig) -> Iterable[Any]:
        raise NotImplementedError

    def since(self, ctx: ScanContext, resource: Any, models: Any) -> datetime | None:
        raise NotImplementedError

    def old(self, ctx: ScanContext, cfg: CheckConfig, resource: Any, age: float,
            models: Any) -> Old:
        raise NotImplementedError

    def evaluate(self, models: Any, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        limit = cfg.get(self.threshold)
        for r in self.candidates(models, cfg):
            since = self.since(ctx, r, models)
            if since is None:
                continue
            age = days_between(since, ctx.now)
            if age <= limit:
                continue
            o = self.old(ctx, cfg, r, age, models)
            yield self.finding(
                ctx, cfg,
                resource_id=o.resource_id,
                resource_name=o.name,
                title=o.title,
                estimate=o.estimate,
                confidence=o.confidence,
                details=o.details,
                group=o.group or self.disposition(ctx, self.meta.resource_type, o.resource_id),
                tags=o.tags,
            )
