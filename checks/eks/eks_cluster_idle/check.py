"""EKS clusters with nothing to run pods on: the control plane bills by the hour regardless."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from checks.config import CheckConfig
from checks.costs import hours_term
from checks.model import Check, ScanContext, days_between, load_meta
from checks.pricing import estimate
from checks.services.ec2 import EC2Service, Instance
from checks.services.eks import Cluster, EKSService
from contracts.finding import Finding

NODE_TAGS = ("eks:cluster-name", "eks:eks-cluster-name", "aws:eks:cluster-name")


@dataclass(frozen=True)
class Models:
    clusters: list[Cluster]
    instances: list[Instance]  # self-managed, Karpenter and Auto Mode nodes are EC2 instances


def node_of(instance: Instance, cluster: str) -> bool:
    """An instance joined to the cluster, by the tags EKS, eksctl and Karpenter put on nodes."""
    if f"kubernetes.io/cluster/{cluster}" in instance.tags:
        return True
    return any(instance.tags.get(t) == cluster for t in NODE_TAGS)


class EksClusterIdle(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> Models:
        return Models(ctx.service(EKSService).clusters(), ctx.service(EC2Service).instances())

    def evaluate(self, models: Models, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        min_age = cfg.get("min_age_days")
        for c in models.clusters:
            if c.status != "ACTIVE" or days_between(c.created, ctx.now) < min_age:
                continue
            if c.nodes or c.fargate_profiles:
                continue
            nodes = [i for i in models.instances
                     if i.state in ("pending", "running") and node_of(i, c.id)]
            if nodes:
                continue
            yield self.finding(
                ctx, cfg,
                resource_id=c.id,
                resource_name=c.id,
                title=f"EKS cluster {c.id} has no nodes and no Fargate profiles",
                estimate=estimate(ctx.prices, ctx.region,
                                  [hours_term("eks:cluster:hour", 1, "control plane")]),
                confidence=0.8,
                details={"version": c.version, "nodegroups": [n.name for n in c.nodegroups],
                         "age_days": round(days_between(c.created, ctx.now))},
                group=self.disposition(ctx, self.meta.resource_type, c.id),
                tags=c.tags,
            )
