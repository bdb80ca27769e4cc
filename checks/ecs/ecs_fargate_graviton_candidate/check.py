"""Fargate tasks on x86: the same vCPU and memory cost ~20% less on Graviton (ARM64)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from checks.config import CheckConfig
from checks.model import Check, ScanContext, load_meta
from checks.pricing import HOURS_PER_MONTH, Estimate, Term, estimate
from checks.services.ecs import ECSService, EcsService, TaskSize
from contracts.finding import Finding

MIB_PER_GIB = Decimal(1024)
UNITS_PER_VCPU = Decimal(1024)


@dataclass(frozen=True)
class Models:
    services: list[EcsService]
    tasks: dict[str, TaskSize | None]  # task definition ARN -> its size


def fargate_terms(arch: str, tasks: int, size: TaskSize, sign: int) -> list[Term]:
    hours = Decimal(tasks) * HOURS_PER_MONTH
    vcpu = Decimal(size.cpu_units) / UNITS_PER_VCPU
    gib = Decimal(size.memory_mib) / MIB_PER_GIB
    return [Term(hours * vcpu, f"{tasks} tasks x {vcpu} vCPU x 730 h", f"fargate:{arch}:vcpu-hour",
                 sign),
            Term(hours * gib, f"{tasks} tasks x {gib} GB x 730 h", f"fargate:{arch}:gb-hour", sign)]


def arm_estimate(ctx: ScanContext, tasks: int, size: TaskSize) -> Estimate:
    return estimate(ctx.prices, ctx.region, fargate_terms("x86_64", tasks, size, 1)
                    + fargate_terms("arm64", tasks, size, -1))


class EcsFargateGravitonCandidate(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> Models:
        ecs = ctx.service(ECSService)
        services = [s for s in ecs.services() if s.fargate]
        return Models(services, {s.task_definition: ecs.task_size(s.task_definition)
                                 for s in services})

    def evaluate(self, models: Models, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        for s in models.services:
            size = models.tasks.get(s.task_definition)
            if (not s.fargate or "FARGATE_SPOT" in s.capacity_providers or s.status != "ACTIVE"
                    or size is None or size.architecture != "X86_64"
                    or size.os_family != "LINUX" or s.running == 0):
                continue
            est = arm_estimate(ctx, s.running, size)
            if est.amount is not None and est.amount <= 0:
                continue
            yield self.finding(
                ctx, cfg,
                resource_id=s.arn,
                resource_name=f"{s.cluster}/{s.name}",
                title=f"Fargate service {s.cluster}/{s.name} runs {s.running} x86 tasks: "
                      f"move to ARM64",
                estimate=est,
                confidence=0.5,
                details={"running_tasks": s.running, "task_family": size.family,
                         "cpu_units": size.cpu_units, "memory_mib": size.memory_mib,
                         "architecture": size.architecture, "recommended": "ARM64"},
                group=self.disposition(ctx, self.meta.resource_type, s.arn),
                tags=s.tags,
            )
