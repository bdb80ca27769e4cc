"""EKS clusters with what could run pods on them: managed node groups (with their desired
size) and Fargate profiles. Self-managed nodes are EC2 instances, seen through EC2Service."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from checks.services.base import ServiceBase, cached
from checks.services.ec2 import utc


@dataclass(frozen=True)
class Nodegroup:
    name: str
    status: str
    desired: int  # scalingConfig.desiredSize: the nodes it runs


@dataclass(frozen=True)
class Cluster:
    id: str  # the cluster name
    arn: str
    status: str
    version: str
    created: datetime
    nodegroups: tuple[Nodegroup, ...]
    fargate_profiles: tuple[str, ...]
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def nodes(self) -> int:
        return sum(n.desired for n in self.nodegroups)


class EKSService(ServiceBase):
    name = "eks"

    @cached
    def clusters(self) -> list[Cluster]:
        out = []
        for name in self.paginate("ListClusters", "clusters"):
            cluster = self.per_resource(name, partial(self._cluster, name))
            if cluster is not None:  # a cluster we could not read is not judged
                out.append(cluster)
        return out

    def _cluster(self, name: str) -> Cluster | None:
        raw = self.call("DescribeCluster", name=name)["cluster"]
        groups = []
        for ng in self.paginate("ListNodegroups", "nodegroups", clusterName=name):
            g = self.call("DescribeNodegroup", clusterName=name, nodegroupName=ng)["nodegroup"]
            groups.append(_nodegroup(g))
        profiles = self.paginate("ListFargateProfiles", "fargateProfileNames", clusterName=name)
        try:
            return Cluster(id=raw["name"], arn=raw.get("arn", ""), status=raw["status"],
                           version=str(raw.get("version") or ""), created=utc(raw["createdAt"]),
                           nodegroups=tuple(groups), fargate_profiles=tuple(profiles),
                           tags=dict(raw.get("tags") or {}))
        except (KeyError, TypeError, ValueError) as exc:
            self.record_malformed("DescribeCluster", name, exc)
            return None


def _nodegroup(raw: dict[str, Any]) -> Nodegroup:
    scaling = raw.get("scalingConfig") or {}
    return Nodegroup(raw["nodegroupName"], str(raw.get("status", "")),
                     int(scaling.get("desiredSize") or 0))
