"""Trusted Advisor's low-utilization rule: mostly idle CPU and network, day after day."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from checks.config import CheckConfig
from checks.costs import hours_term, instance_key
from checks.families import smaller
from checks.model import Check, ScanContext, load_meta
from checks.pricing import estimate, monthly_cost
from checks.services.cloudwatch import CloudWatchService, MetricSeries, query
from checks.services.ec2 import EC2Service, Instance
from contracts.finding import Finding

MB = 1_000_000


@dataclass(frozen=True)
class Models:
    resources: list[Instance]
    cpu: dict[str, MetricSeries]  # daily average CPUUtilization
    network: dict[str, MetricSeries]  # daily NetworkIn + NetworkOut bytes


class Ec2InstanceLowUtilization(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> Models:
        days = int(ctx.config.for_check(self.meta).get("lookback_days"))
        running = [i for i in ctx.service(EC2Service).instances() if i.state == "running"]
        cw = ctx.service(CloudWatchService)
        cpu_q = {i.id: query("AWS/EC2", "CPUUtilization", "Average", InstanceId=i.id)
                 for i in running}
        net_q = {i.id: [query("AWS/EC2", m, InstanceId=i.id) for m in ("NetworkIn", "NetworkOut")]
                 for i in running}
        cpu = cw.series(cpu_q.values(), days)
        return Models(running, {k: cpu[q] for k, q in cpu_q.items()}, cw.combined(net_q, days))

    def evaluate(self, models: Models, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        max_cpu, max_net = cfg.get("max_cpu_percent"), cfg.get("max_network_mb") * MB
        need = cfg.get("min_low_days")
        for inst in models.resources:
            if inst.state != "running":
                continue
            cpu, net = models.cpu.get(inst.id), models.network.get(inst.id)
            if cpu is None or net is None or not cpu.has_data:
                continue  # no metrics, no verdict
            net_by_day = dict(zip(net.timestamps, net.values, strict=False))
            low_days = sum(
                1 for t, c in zip(cpu.timestamps, cpu.values, strict=False)
                if c <= max_cpu and net_by_day.get(t, 0.0) <= max_net
            )
            if low_days < need:
                continue
            try:
                target = smaller(inst.type)
            except ValueError as exc:
                self.skip(ctx, inst.id, str(exc))
                continue
            current = instance_key(inst.type, inst.platform)
            terms = [hours_term(current, 1, inst.type)]
            target_key = instance_key(target, inst.platform) if target else None
            if target and target_key and ctx.prices.get(ctx.region, target_key) is not None:
                terms.append(hours_term(target_key, 1, target, sign=-1))
                action = f"downsize to {target}"
            else:
                action = "stop (no priced smaller size)"
            yield self.finding(
                ctx, cfg,
                resource_id=inst.id,
                resource_name=inst.name,
                title=f"EC2 instance {inst.id} ({inst.type}) idle on {low_days} days: {action}",
                estimate=estimate(ctx.prices, ctx.region, terms),
                # TA's rule fires on 4 quiet days of 14; the more days were quiet, the surer
                confidence=round(0.4 + 0.3 * low_days / max(len(cpu.values), 1), 2),
                details={"low_days": low_days, "days_with_data": len(cpu.values),
                         "avg_cpu_percent": round(cpu.mean, 2),
                         "max_cpu_percent": round(cpu.maximum, 2),
                         "avg_daily_network_mb": round(net.mean / MB, 3),
                         "recommendation": action,
                         "current_monthly_cost": monthly_cost(ctx.prices, ctx.region, current)},
                group=self.disposition(ctx, "AWS::EC2::Instance", inst.id),
                tags=inst.tags,
            )


