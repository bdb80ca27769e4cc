"""Previous-generation families cost as much or more than their successors."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from checks.config import CheckConfig
from checks.costs import instance_key
from checks.families import PREVIOUS_GENERATION, successor
from checks.model import Check, ScanContext, load_meta
from checks.modernize import switch_estimate
from checks.services.ec2 import EC2Service, Instance
from contracts.finding import Finding


class Ec2InstancePreviousGeneration(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> list[Instance]:
        return ctx.service(EC2Service).instances()

    def evaluate(self, models: list[Instance], cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        for inst in models:
            if inst.state != "running":
                continue
            try:
                target = successor(inst.type, PREVIOUS_GENERATION)
            except ValueError as exc:
                self.skip(ctx, inst.id, str(exc))
                continue
            if target is None:
                continue
            est = switch_estimate(ctx, inst.type, target, partial(instance_key, platform=inst.platform))
            if est.amount is not None and est.amount < 0:
                continue  # successor costs more here: not a saving
            yield self.finding(
                ctx, cfg,
                resource_id=inst.id,
                resource_name=inst.name,
                title=f"EC2 instance {inst.id} runs previous-generation {inst.type}: use {target}",
                estimate=est,
                confidence=0.8,
                details={"instance_type": inst.type, "recommended_type": target},
                group=self.disposition(ctx, "AWS::EC2::Instance", inst.id),
                tags=inst.tags,
            )
