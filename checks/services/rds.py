"""RDS instances and manual snapshots."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from checks.services.base import ServiceBase, cached, parse_items
from checks.services.ec2 import utc


@dataclass(frozen=True)
class DBInstance:
    id: str
    arn: str
    instance_class: str
    engine: str
    engine_version: str
    status: str
    multi_az: bool
    storage_gib: int
    storage_type: str
    created: datetime | None  # None while the instance is still being created
    cluster_id: str | None = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DBSnapshot:
    id: str
    instance_id: str
    snapshot_type: str
    status: str
    created: datetime | None  # None while the snapshot is being taken
    allocated_gib: int
    engine: str


def _tags(raw: dict[str, Any]) -> dict[str, str]:
    return {t["Key"]: t.get("Value", "") for t in raw.get("TagList") or [] if "Key" in t}


def _instance(raw: dict[str, Any]) -> DBInstance:
    return DBInstance(
        id=raw["DBInstanceIdentifier"],
        arn=raw.get("DBInstanceArn", ""),
        instance_class=raw["DBInstanceClass"],
        engine=raw["Engine"],
        engine_version=raw.get("EngineVersion", ""),
        status=raw["DBInstanceStatus"],
        multi_az=bool(raw.get("MultiAZ", False)),
        storage_gib=int(raw.get("AllocatedStorage") or 0),
        storage_type=raw.get("StorageType", "gp2"),
        created=utc(raw["InstanceCreateTime"]) if raw.get("InstanceCreateTime") else None,
        cluster_id=raw.get("DBClusterIdentifier"),
        tags=_tags(raw),
    )


def _snapshot(raw: dict[str, Any]) -> DBSnapshot:
    return DBSnapshot(
        id=raw["DBSnapshotIdentifier"],
        instance_id=raw.get("DBInstanceIdentifier", ""),
        snapshot_type=raw.get("SnapshotType", "manual"),
        status=raw["Status"],
        created=utc(raw["SnapshotCreateTime"]) if raw.get("SnapshotCreateTime") else None,
        allocated_gib=int(raw.get("AllocatedStorage") or 0),
        engine=raw.get("Engine", ""),
    )


@dataclass(frozen=True)
class DBCluster:
    id: str
    arn: str
    engine: str
    storage_type: str  # "aurora" (Standard) | "aurora-iopt1" (I/O-Optimized)
    status: str
    created: datetime | None
    members: tuple[str, ...]  # DB instance identifiers
    tags: dict[str, str] = field(default_factory=dict)


def _cluster(raw: dict[str, Any]) -> DBCluster:
    return DBCluster(
        id=raw["DBClusterIdentifier"],
        arn=raw.get("DBClusterArn", ""),
        engine=raw["Engine"],
        storage_type=raw.get("StorageType") or "aurora",
        status=raw.get("Status", ""),
        created=utc(raw["ClusterCreateTime"]) if raw.get("ClusterCreateTime") else None,
        members=tuple(m["DBInstanceIdentifier"] for m in raw.get("DBClusterMembers") or []),
        tags=_tags(raw),
    )


class RDSService(ServiceBase):
    name = "rds"

    @cached
    def instances(self) -> list[DBInstance]:
        raw = self.paginate("DescribeDBInstances", "DBInstances")
        return parse_items(self, "DescribeDBInstances", raw, _instance,
                           lambda r: r["DBInstanceIdentifier"])

    @cached
    def manual_snapshots(self) -> list[DBSnapshot]:
        raw = self.paginate("DescribeDBSnapshots", "DBSnapshots", SnapshotType="manual")
        return parse_items(self, "DescribeDBSnapshots", raw, _snapshot,
                           lambda r: r["DBSnapshotIdentifier"])

    @cached
    def clusters(self) -> list[DBCluster]:
        raw = self.paginate("DescribeDBClusters", "DBClusters")
        return parse_items(self, "DescribeDBClusters", raw, _cluster,
                           lambda r: r["DBClusterIdentifier"])
