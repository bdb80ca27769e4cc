"""Volumes kept only by instances that have been stopped for weeks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from checks.config import CheckConfig
from checks.costs import volume_terms
from checks.model import Check, ScanContext, days_between, load_meta
from checks.pricing import estimate
from checks.services.ec2 import EC2Service, Instance, Volume
from contracts.finding import Finding


@dataclass(frozen=True)
class Models:
    resources: list[Volume]
    instances: list[Instance]


class Ec2EbsVolumeOnStoppedInstance(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> Models:
        ec2 = ctx.service(EC2Service)
        return Models(ec2.volumes(), ec2.instances())

    def evaluate(self, models: Models, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        max_days = cfg.get("max_stopped_days")
        by_id = {i.id: i for i in models.instances}
        for v in models.resources:
            if not v.attached_instances:
                continue
            owners = [by_id.get(iid) for iid in v.attached_instances]
            if any(o is None or o.state != "stopped" for o in owners):
                continue  # attached to something running, or to an instance we cannot see
            stopped = [o for o in owners if o is not None]
            if any(o.stopped_since is None for o in stopped):
                for o in stopped:
                    if o.stopped_since is None:
                        self.skip(ctx, o.id, "stopped instance without a stop time")
                continue
            days = min(days_between(o.stopped_since, ctx.now) for o in stopped if o.stopped_since)
            if days <= max_days:
                continue
            yield self.finding(
                ctx, cfg,
                resource_id=v.id,
                resource_name=v.name,
                title=f"EBS volume {v.id} ({v.size_gib} GiB) on an instance stopped {days:.0f} days",
                estimate=estimate(ctx.prices, ctx.region, volume_terms(v)),
                confidence=0.8,
                details={"instances": [o.id for o in stopped], "stopped_days": round(days, 1),
                         "volume_type": v.type, "size_gib": v.size_gib},
                group=self.disposition(ctx, "AWS::EC2::Volume", v.id),
                tags=v.tags,
            )
