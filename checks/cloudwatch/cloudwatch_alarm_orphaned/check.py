"""Alarms watching an instance, volume or database that no longer exists: billed every month,
they can never fire on anything real."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from checks.config import CheckConfig
from checks.model import Check, ScanContext, load_meta
from checks.pricing import Term, estimate
from checks.services.cloudwatch_alarms import Alarm, CloudWatchAlarmsService
from checks.services.ec2 import EC2Service
from checks.services.rds import RDSService
from contracts.finding import Finding

GONE_STATES = frozenset({"terminated", "shutting-down"})


@dataclass(frozen=True)
class Models:
    resources: list[Alarm]
    live: dict[str, set[str]]  # alarm dimension name -> ids that exist in the region


class CloudwatchAlarmOrphaned(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> Models:
        ec2, rds = ctx.service(EC2Service), ctx.service(RDSService)
        return Models(ctx.service(CloudWatchAlarmsService).alarms(), {
            "InstanceId": {i.id for i in ec2.instances() if i.state not in GONE_STATES},
            "VolumeId": {v.id for v in ec2.volumes()},
            "DBInstanceIdentifier": {d.id for d in rds.instances()},
        })

    def evaluate(self, models: Models, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        for a in models.resources:
            missing = {dim: rid for dim, rid in a.dimensions.items()
                       if dim in models.live and rid not in models.live[dim]}
            if not missing:
                continue
            key = "cloudwatch:alarm-high-resolution:month" if a.high_resolution else \
                "cloudwatch:alarm:month"
            yield self.finding(
                ctx, cfg,
                resource_id=a.arn,
                resource_name=a.name,
                title=f"CloudWatch alarm {a.name} watches "
                      + ", ".join(f"{d} {r}" for d, r in sorted(missing.items()))
                      + ", which no longer exists",
                estimate=estimate(ctx.prices, ctx.region, [Term(Decimal(1), "1 alarm", key)]),
                confidence=0.9,
                details={"missing": missing, "namespace": a.namespace, "metric": a.metric,
                         "state": a.state},
                group=self.disposition(ctx, self.meta.resource_type, a.arn),
            )
