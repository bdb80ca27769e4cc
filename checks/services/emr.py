"""EMR clusters that are up (STARTING/BOOTSTRAPPING/RUNNING/WAITING) with their instances."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from checks.services.base import ServiceBase, cached
from checks.services.ec2 import utc

ACTIVE = ["STARTING", "BOOTSTRAPPING", "RUNNING", "WAITING"]


@dataclass(frozen=True)
class Cluster:
    id: str
    name: str
    state: str
    created: datetime
    instances: tuple[tuple[str, int], ...]  # (instance type, running count) per group/fleet


class EMRService(ServiceBase):
    name = "emr"

    @cached
    def clusters(self) -> list[Cluster]:
        out = []
        for raw in self.paginate("ListClusters", "Clusters", ClusterStates=ACTIVE):
            try:
                out.append(self._cluster(raw))
            except (KeyError, TypeError, ValueError) as exc:
                self.record_malformed("ListClusters", raw.get("Id", "<unknown>"), exc)
        return out

    def _cluster(self, raw: dict[str, Any]) -> Cluster:
        cid = raw["Id"]
        groups = self.paginate("ListInstanceGroups", "InstanceGroups", ClusterId=cid)
        counts: dict[str, int] = {}
        for g in groups:
            counts[g["InstanceType"]] = counts.get(g["InstanceType"], 0) + int(
                g.get("RunningInstanceCount", g.get("RequestedInstanceCount", 0)))
        return Cluster(
            id=cid,
            name=raw.get("Name", cid),
            state=raw["Status"]["State"],
            created=utc(raw["Status"]["Timeline"]["CreationDateTime"]),
            instances=tuple(sorted(counts.items())),
        )
