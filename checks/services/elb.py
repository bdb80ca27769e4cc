"""Load balancers: ALB/NLB (elbv2) with their target health, and Classic ELBs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from checks.services.base import ServiceBase, cached, parse_items
from checks.services.ec2 import utc


@dataclass(frozen=True)
class LoadBalancer:
    arn: str
    name: str
    kind: str  # application | network | gateway | classic
    state: str
    created: datetime
    dimension: str  # CloudWatch LoadBalancer dimension ("app/name/id"; the name for classic)
    registered_targets: int
    healthy_targets: int
    target_ids: tuple[str, ...] = ()


def _v2(raw: dict[str, Any]) -> dict[str, Any]:
    arn = raw["LoadBalancerArn"]
    return {
        "arn": arn,
        "name": raw["LoadBalancerName"],
        "kind": raw["Type"],
        "state": (raw.get("State") or {}).get("Code", "active"),
        "created": utc(raw["CreatedTime"]),
        "dimension": arn.split(":loadbalancer/", 1)[1],
    }


class ELBv2Service(ServiceBase):
    name = "elbv2"

    @cached
    def load_balancers(self) -> list[LoadBalancer]:
        raw = self.paginate("DescribeLoadBalancers", "LoadBalancers")
        base = parse_items(self, "DescribeLoadBalancers", raw, _v2, lambda r: r["LoadBalancerArn"])
        groups = self.paginate("DescribeTargetGroups", "TargetGroups")
        registered: dict[str, int] = {}
        healthy: dict[str, int] = {}
        targets: dict[str, list[str]] = {}
        for tg in groups:
            health = self.call("DescribeTargetHealth", TargetGroupArn=tg["TargetGroupArn"])
            descriptions = health.get("TargetHealthDescriptions") or []
            states = [d.get("TargetHealth", {}).get("State") for d in descriptions]
            ids = [d["Target"]["Id"] for d in descriptions if d.get("Target", {}).get("Id")]
            for lb_arn in tg.get("LoadBalancerArns") or []:
                targets.setdefault(lb_arn, []).extend(ids)
                registered[lb_arn] = registered.get(lb_arn, 0) + len(states)
                healthy[lb_arn] = healthy.get(lb_arn, 0) + sum(s == "healthy" for s in states)
        return [
            LoadBalancer(**b, registered_targets=registered.get(b["arn"], 0),
                         healthy_targets=healthy.get(b["arn"], 0),
                         target_ids=tuple(sorted(set(targets.get(b["arn"], [])))))
            for b in base
        ]


def _classic(raw: dict[str, Any]) -> LoadBalancer:
    return LoadBalancer(
        arn=raw["LoadBalancerName"],
        name=raw["LoadBalancerName"],
        kind="classic",
        state="active",
        created=utc(raw["CreatedTime"]),
        dimension=raw["LoadBalancerName"],
        registered_targets=len(raw.get("Instances") or []),
        healthy_targets=-1,  # filled in by instance health below
        target_ids=tuple(sorted(i["InstanceId"] for i in raw.get("Instances") or [])),
    )


class ELBService(ServiceBase):
    name = "elb"

    @cached
    def load_balancers(self) -> list[LoadBalancer]:
        raw = self.paginate("DescribeLoadBalancers", "LoadBalancerDescriptions")
        out = []
        for lb in parse_items(self, "DescribeLoadBalancers", raw, _classic,
                              lambda r: r["LoadBalancerName"]):
            healthy = 0
            if lb.registered_targets:
                states = self.call("DescribeInstanceHealth", LoadBalancerName=lb.name)
                healthy = sum(s.get("State") == "InService" for s in
                              states.get("InstanceStates") or [])
            out.append(LoadBalancer(lb.arn, lb.name, lb.kind, lb.state, lb.created, lb.dimension,
                                    lb.registered_targets, healthy, lb.target_ids))
        return out
