"""EFS file systems with their size by storage class and lifecycle (transition) policies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from checks.services.base import ServiceBase, cached
from checks.services.ec2 import utc


@dataclass(frozen=True)
class FileSystem:
    id: str
    arn: str
    name: str
    created: datetime
    size_bytes: int
    standard_bytes: int  # metered in the Standard class (what IA could take)
    transitions: tuple[str, ...] = ()  # lifecycle policies, e.g. "TransitionToIA=AFTER_30_DAYS"
    tags: dict[str, str] = field(default_factory=dict)


def _file_system(raw: dict[str, Any], transitions: tuple[str, ...]) -> FileSystem:
    size = raw.get("SizeInBytes") or {}
    value = int(size.get("Value") or 0)
    return FileSystem(
        id=raw["FileSystemId"],
        arn=raw.get("FileSystemArn", ""),
        name=raw.get("Name") or "",
        created=utc(raw["CreationTime"]),
        size_bytes=value,
        standard_bytes=int(size.get("ValueInStandard", value) or 0),
        transitions=transitions,
        tags={t["Key"]: t["Value"] for t in raw.get("Tags") or []},
    )


class EFSService(ServiceBase):
    name = "efs"

    @cached
    def file_systems(self) -> list[FileSystem]:
        out = []
        for raw in self.paginate("DescribeFileSystems", "FileSystems"):
            fs_id = raw.get("FileSystemId", "<unknown>")
            got = self.per_resource(fs_id, partial(self.call, "DescribeLifecycleConfiguration",
                                                   FileSystemId=fs_id))
            if got is None:
                continue  # recorded: unknown lifecycle is not "no lifecycle"
            transitions = tuple(f"{k}={v}" for p in got.get("LifecyclePolicies") or []
                                for k, v in sorted(p.items()))
            try:
                out.append(_file_system(raw, transitions))
            except (KeyError, TypeError, ValueError) as exc:
                self.record_malformed("DescribeFileSystems", fs_id, exc)
        return out
