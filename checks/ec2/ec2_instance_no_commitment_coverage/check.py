"""Steady on-demand usage with no reservation or savings plan behind it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from checks.config import CheckConfig
from checks.costs import hours_term, instance_key
from checks.model import Check, ScanContext, days_between, load_meta
from checks.pricing import Term, estimate
from checks.services.base import CollectionFailed
from checks.services.ec2 import EC2Service, Instance, ReservedInstance
from checks.services.savingsplans import SavingsPlan, SavingsPlansService
from contracts.finding import Finding


@dataclass(frozen=True)
class Models:
    resources: list[Instance]
    reserved: list[ReservedInstance]
    savings_plans: list[SavingsPlan] | None  # None: could not be read (recorded)


class Ec2InstanceNoCommitmentCoverage(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> Models:
        ec2 = ctx.service(EC2Service)
        try:
            plans: list[SavingsPlan] | None = ctx.service(SavingsPlansService).active_plans()
        except CollectionFailed as exc:
            # Coverage by plans unknown: still report, at lower confidence, and say why.
            ctx.record(exc.service, exc.operation, exc.code, exc.message, check_id=self.meta.id)
            plans = None
        return Models(ec2.instances(), ec2.reserved_instances(), plans)

    def evaluate(self, models: Models, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        if models.savings_plans:
            return  # an active plan applies across the account: per-instance coverage unknowable
        min_days = cfg.get("min_running_days")
        discount = Decimal(str(cfg.get("assumed_commitment_discount")))
        free: dict[str, int] = {}
        for ri in models.reserved:
            if ri.state == "active":
                free[ri.instance_type] = free.get(ri.instance_type, 0) + ri.count
        for inst in sorted(models.resources, key=lambda i: (i.launch_time, i.id)):
            if inst.state != "running" or inst.lifecycle != "on-demand":
                continue
            if free.get(inst.type, 0) > 0:
                free[inst.type] -= 1  # oldest instances consume the reservations first
                continue
            days = days_between(inst.launch_time, ctx.now)
            if days < min_days:
                continue
            od = hours_term(instance_key(inst.type, inst.platform), 1, inst.type)
            terms = [Term(od.quantity * discount, f"{od.label} x {discount} discount", od.key)]
            yield self.finding(
                ctx, cfg,
                resource_id=inst.id,
                resource_name=inst.name,
                title=f"EC2 instance {inst.id} ({inst.type}) on-demand for {days:.0f} days "
                      "without RI/Savings Plan coverage",
                estimate=estimate(ctx.prices, ctx.region, terms),
                confidence=0.6 if models.savings_plans is not None else 0.4,
                details={"running_days": round(days, 1), "instance_type": inst.type,
                         "assumed_discount": str(discount),
                         "savings_plans_checked": models.savings_plans is not None},
                group=f"{ctx.arn('AWS::EC2::Instance', inst.id)}#commitment",
                tags=inst.tags,
            )
