"""FSx file systems (Windows File Server, Lustre, ONTAP, OpenZFS) with the capacity they bill."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from checks.services.base import ServiceBase, cached, parse_items
from checks.services.ec2 import tags_of, utc

CONFIG_KEYS = {"WINDOWS": "WindowsConfiguration", "LUSTRE": "LustreConfiguration",
               "ONTAP": "OntapConfiguration", "OPENZFS": "OpenZFSConfiguration"}


@dataclass(frozen=True)
class FileSystem:
    id: str
    type: str  # WINDOWS, LUSTRE, ONTAP, OPENZFS
    lifecycle: str  # AVAILABLE, CREATING, ...
    created: datetime
    storage_gib: int
    storage_type: str  # SSD, HDD, INTELLIGENT_TIERING
    deployment: str  # e.g. MULTI_AZ_1, PERSISTENT_2, SCRATCH_2, SINGLE_AZ_1
    throughput_mbps: int | None  # provisioned throughput capacity (Windows, ONTAP, OpenZFS)
    per_unit_throughput: int | None  # Lustre MB/s per TiB
    tags: dict[str, str] = field(default_factory=dict)


def _file_system(raw: dict[str, Any]) -> FileSystem:
    kind = raw["FileSystemType"]
    cfg = raw.get(CONFIG_KEYS.get(kind, "")) or {}
    throughput = cfg.get("ThroughputCapacity")
    per_unit = cfg.get("PerUnitStorageThroughput")
    return FileSystem(
        id=raw["FileSystemId"], type=kind, lifecycle=raw["Lifecycle"],
        created=utc(raw["CreationTime"]), storage_gib=int(raw.get("StorageCapacity") or 0),
        storage_type=str(raw.get("StorageType") or "SSD"),
        deployment=str(cfg.get("DeploymentType") or ""),
        throughput_mbps=int(throughput) if throughput is not None else None,
        per_unit_throughput=int(per_unit) if per_unit is not None else None,
        tags=tags_of(raw))


class FSxService(ServiceBase):
    name = "fsx"

    @cached
    def file_systems(self) -> list[FileSystem]:
        raw = self.paginate("DescribeFileSystems", "FileSystems")
        return parse_items(self, "DescribeFileSystems", raw, _file_system,
                           lambda r: r["FileSystemId"])
