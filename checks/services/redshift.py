"""Redshift provisioned clusters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from checks.services.base import ServiceBase, cached, parse_items
from checks.services.ec2 import utc


@dataclass(frozen=True)
class Cluster:
    id: str
    node_type: str
    nodes: int
    status: str
    created: datetime


def _cluster(raw: dict[str, Any]) -> Cluster:
    return Cluster(
        id=raw["ClusterIdentifier"],
        node_type=raw["NodeType"],
        nodes=int(raw.get("NumberOfNodes") or 1),
        status=raw["ClusterStatus"],
        created=utc(raw["ClusterCreateTime"]),
    )


class RedshiftService(ServiceBase):
    name = "redshift"

    @cached
    def clusters(self) -> list[Cluster]:
        raw = self.paginate("DescribeClusters", "Clusters")
        return parse_items(self, "DescribeClusters", raw, _cluster,
                           lambda r: r["ClusterIdentifier"])
