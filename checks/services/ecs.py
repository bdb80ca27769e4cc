"""ECS services with their task definitions' size and CPU architecture (for Fargate pricing)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

from checks.services.base import ServiceBase, cached, parse_items

DESCRIBE_BATCH = 10  # DescribeServices takes at most 10 services per call


@dataclass(frozen=True)
class TaskSize:
    family: str
    cpu_units: int  # 1024 units = 1 vCPU
    memory_mib: int
    architecture: str  # X86_64 | ARM64 (runtimePlatform; X86_64 when absent)
    os_family: str  # LINUX, WINDOWS_SERVER_...


@dataclass(frozen=True)
class EcsService:
    arn: str
    name: str
    cluster: str  # cluster name
    launch_type: str  # FARGATE | EC2 | EXTERNAL | "" (capacity provider strategy)
    capacity_providers: tuple[str, ...]
    status: str
    desired: int
    running: int
    task_definition: str  # ARN
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def fargate(self) -> bool:
        return self.launch_type == "FARGATE" or any(
            p in ("FARGATE", "FARGATE_SPOT") for p in self.capacity_providers)


def _size(raw: dict[str, Any]) -> TaskSize:
    platform = raw.get("runtimePlatform") or {}
    return TaskSize(
        family=raw["family"],
        cpu_units=int(raw["cpu"]),
        memory_mib=int(raw["memory"]),
        architecture=platform.get("cpuArchitecture") or "X86_64",
        os_family=platform.get("operatingSystemFamily") or "LINUX",
    )


class ECSService(ServiceBase):
    name = "ecs"

    @cached
    def services(self) -> list[EcsService]:
        out: list[EcsService] = []
        for cluster_arn in self.paginate("ListClusters", "clusterArns"):
            arns = self.paginate("ListServices", "serviceArns", cluster=cluster_arn)
            for i in range(0, len(arns), DESCRIBE_BATCH):
                raw = self.call("DescribeServices", cluster=cluster_arn,
                                services=arns[i:i + DESCRIBE_BATCH],
                                include=["TAGS"]).get("services", [])
                out += parse_items(self, "DescribeServices", raw, self._service,
                                   lambda r: r["serviceArn"])
        return out

    @staticmethod
    def _service(raw: dict[str, Any]) -> EcsService:
        return EcsService(
            arn=raw["serviceArn"],
            name=raw["serviceName"],
            cluster=raw["clusterArn"].rsplit("/", 1)[-1],
            launch_type=raw.get("launchType") or "",
            capacity_providers=tuple(s["capacityProvider"] for s in
                                     raw.get("capacityProviderStrategy") or []),
            status=raw.get("status", ""),
            desired=int(raw.get("desiredCount") or 0),
            running=int(raw.get("runningCount") or 0),
            task_definition=raw["taskDefinition"],
            tags={t["key"]: t.get("value", "") for t in raw.get("tags") or [] if "key" in t},
        )

    @cached
    def task_size(self, task_definition: str) -> TaskSize | None:
        """A task definition's size; None (recorded) when it cannot be read or has no
        task-level cpu and memory (EC2 launch type may size containers only)."""
        got = self.per_resource(task_definition, partial(
            self.call, "DescribeTaskDefinition", taskDefinition=task_definition))
        if got is None:
            return None
        items = parse_items(self, "DescribeTaskDefinition", [got.get("taskDefinition") or {}],
                            _size, lambda r: task_definition)
        return items[0] if items else None
