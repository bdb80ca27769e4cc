"""One shape for "same workload, other family" recommendations (previous generation -> current,
x86 -> Graviton) on EC2 and RDS: the target is `families.successor` (smallest size of the mapped
family that fits), the saving the hourly price difference. A check of this shape is its metadata,
its family map and a `candidates` method turning its models into `Switch`es."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from checks.config import CheckConfig
from checks.costs import hours_term
from checks.families import successor
from checks.model import Check, ScanContext
from checks.pricing import Estimate, estimate, monthly_cost
from contracts.finding import Finding


def switch_estimate(ctx: ScanContext, current: str, target: str, key: Callable[[str], str],
                    count: int = 1) -> Estimate:
    """(price(current) - price(target)) x 730 h; unknown if either price is missing."""
    return estimate(ctx.prices, ctx.region, [
        hours_term(key(current), count, current),
        hours_term(key(target), count, target, sign=-1),
    ])


@dataclass(frozen=True)
class Switch:
    """One resource that could change family: what it runs and how its type is priced."""

    resource_id: str
    current: str  # instance type or DB class
    key: Callable[[str], str]  # type -> catalog price key
    name: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    details: Mapping[str, Any] = field(default_factory=dict)


class FamilySwitchCheck(Check):
    """Base of the previous-generation and Graviton checks: subclasses set the map, the
    confidence, whether an equal price is still worth saying, and `candidates`."""

    mapping: ClassVar[dict[str, str]]
    confidence: ClassVar[float]
    report_equal_price: ClassVar[bool] = False  # previous generation: same price, faster
    current_field: ClassVar[str] = "instance_type"  # details key of the current type
    target_field: ClassVar[str] = "recommended_type"
    with_current_cost: ClassVar[bool] = False  # details.current_monthly_cost (Graviton)

    def candidates(self, models: Any, ctx: ScanContext) -> Iterable[Switch]:
        raise NotImplementedError

    def title(self, s: Switch, target: str) -> str:
        raise NotImplementedError

    def evaluate(self, models: Any, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        for s in self.candidates(models, ctx):
            try:
                target = successor(s.current, self.mapping)
            except ValueError as exc:
                self.skip(ctx, s.resource_id, str(exc))
                continue
            if target is None:
                continue
            est = switch_estimate(ctx, s.current, target, s.key)
            if est.amount is not None and (est.amount < 0 or
                                           (est.amount == 0 and not self.report_equal_price)):
                continue  # the target costs more (or the same, when that is no news) here
            details = {self.current_field: s.current, self.target_field: target, **s.details}
            if self.with_current_cost:
                details["current_monthly_cost"] = monthly_cost(ctx.prices, ctx.region,
                                                               s.key(s.current))
            yield self.finding(
                ctx, cfg,
                resource_id=s.resource_id,
                resource_name=s.name,
                title=self.title(s, target),
                estimate=est,
                confidence=self.confidence,
                details=details,
                group=self.disposition(ctx, self.meta.resource_type, s.resource_id),
                tags=s.tags,
            )
