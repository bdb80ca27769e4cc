"""ElastiCache cache clusters (Redis and Memcached nodes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from checks.services.base import ServiceBase, cached, parse_items
from checks.services.ec2 import utc


@dataclass(frozen=True)
class CacheCluster:
    id: str
    node_type: str
    nodes: int
    engine: str
    status: str
    created: datetime | None  # None while creating


def _cluster(raw: dict[str, Any]) -> CacheCluster:
    created = raw.get("CacheClusterCreateTime")
    return CacheCluster(
        id=raw["CacheClusterId"],
        node_type=raw["CacheNodeType"],
        nodes=int(raw.get("NumCacheNodes") or 1),
        engine=raw.get("Engine", ""),
        status=raw["CacheClusterStatus"],
        created=utc(created) if created else None,
    )


class ElastiCacheService(ServiceBase):
    name = "elasticache"

    @cached
    def clusters(self) -> list[CacheCluster]:
        raw = self.paginate("DescribeCacheClusters", "CacheClusters")
        return parse_items(self, "DescribeCacheClusters", raw, _cluster,
                           lambda r: r["CacheClusterId"])
