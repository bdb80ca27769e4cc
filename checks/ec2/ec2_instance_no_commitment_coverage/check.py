"""Steady on-demand usage with no reservation or savings plan behind it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from checks.config import CheckConfig
from checks.costs import hours_term, instance_key
from checks.families import normalized_units, split_type
from checks.model import Check, ScanContext, days_between, load_meta
from checks.pricing import Term, estimate
from checks.services.base import CollectionFailed
from checks.services.ec2 import EC2Service, Instance, ReservedInstance
from checks.services.savingsplans import SavingsPlan, SavingsPlansService
from contracts.finding import Finding

T = TypeVar("T")


@dataclass(frozen=True)
class Models:
    resources: list[Instance]
    reserved: list[ReservedInstance] | None  # None: could not be read (recorded)
    savings_plans: list[SavingsPlan] | None  # None: could not be read (recorded)


class Ec2InstanceNoCommitmentCoverage(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> Models:
        ec2 = ctx.service(EC2Service)
        # Commitments that cannot be read leave coverage unknown: the finding is still made, at
        # low confidence, and the failure is recorded against this check (never silent).
        plans = self._optional(ctx, ctx.service(SavingsPlansService).active_plans)
        reserved = self._optional(ctx, ec2.reserved_instances)
        return Models(ec2.instances(), reserved, plans)

    def _optional(self, ctx: ScanContext, fetch: Callable[[], list[T]]) -> list[T] | None:
        try:
            return fetch()
        except CollectionFailed as exc:
            ctx.record(exc.service, exc.operation, exc.code, exc.message, check_id=self.meta.id)
            return None

    def evaluate(self, models: Models, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        if models.savings_plans:
            return  # an active plan applies across the account: per-instance coverage unknowable
        min_days = cfg.get("min_running_days")
        discount = Decimal(str(cfg.get("assumed_commitment_discount")))
        pool = Reservations(models.reserved or [])
        known = models.savings_plans is not None and models.reserved is not None
        for inst in sorted(models.resources, key=lambda i: (i.launch_time, i.id)):
            if inst.state != "running" or inst.lifecycle != "on-demand":
                continue
            try:
                covered = pool.consume(inst)  # oldest instances take the reservations first
            except ValueError as exc:
                self.skip(ctx, inst.id, str(exc))
                continue
            days = days_between(inst.launch_time, ctx.now)
            if covered >= 1 or days < min_days:
                continue
            share = (Decimal(1) - Decimal(str(round(covered, 4)))) * discount
            od = hours_term(instance_key(inst.type, inst.platform), 1, inst.type)
            label = f"{od.label} x {discount} discount"
            if covered > 0:
                label += f" x {1 - covered:.0%} uncovered"
            yield self.finding(
                ctx, cfg,
                resource_id=inst.id,
                resource_name=inst.name,
                title=f"EC2 instance {inst.id} ({inst.type}) on-demand for {days:.0f} days "
                      "without RI/Savings Plan coverage",
                estimate=estimate(ctx.prices, ctx.region, [Term(od.quantity * share, label, od.key)]),
                confidence=0.6 if known else 0.3,
                details={"running_days": round(days, 1), "instance_type": inst.type,
                         "assumed_discount": str(discount), "ri_covered_share": round(covered, 3),
                         "savings_plans_checked": models.savings_plans is not None,
                         "reserved_instances_checked": models.reserved is not None},
                group=f"{ctx.arn('AWS::EC2::Instance', inst.id)}#billing-model",  # vs scheduling
                tags=inst.tags,
            )


class Reservations:
    """Active RIs as a pool instances draw from: zonal RIs by exact type and AZ, regional
    Linux/UNIX RIs size-flexibly by normalized units within the family, other regional RIs by
    exact type."""

    def __init__(self, reserved: list[ReservedInstance]) -> None:
        self.exact: dict[tuple[str, str | None], int] = {}
        self.units: dict[str, float] = {}
        for ri in reserved:
            if ri.state != "active":
                continue
            if ri.scope == "Region" and ri.product == "Linux/UNIX":
                family = split_type(ri.instance_type)[1]
                per = normalized_units(ri.instance_type) or 0.0
                self.units[family] = self.units.get(family, 0.0) + per * ri.count
            else:
                key = (ri.instance_type, ri.az if ri.scope != "Region" else None)
                self.exact[key] = self.exact.get(key, 0) + ri.count

    def consume(self, inst: Instance) -> float:
        """The share (0..1) of this instance's hours the reservations cover."""
        for key in ((inst.type, inst.az), (inst.type, None)):
            if self.exact.get(key, 0) > 0:
                self.exact[key] -= 1
                return 1.0
        if inst.is_windows:
            return 0.0
        family = split_type(inst.type)[1]
        need = normalized_units(inst.type)
        have = self.units.get(family, 0.0)
        if not need or have <= 0:
            return 0.0
        used = min(have, need)
        self.units[family] = have - used
        return used / need
