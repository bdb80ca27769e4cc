"""Lambda functions (memory, timeout, architecture)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from checks.services.base import ServiceBase, cached, parse_items


@dataclass(frozen=True)
class Function:
    name: str
    arn: str
    runtime: str
    memory_mb: int
    timeout_s: int
    architecture: str  # x86_64 | arm64
    package_type: str


def _function(raw: dict[str, Any]) -> Function:
    return Function(
        name=raw["FunctionName"],
        arn=raw["FunctionArn"],
        runtime=raw.get("Runtime", ""),
        memory_mb=int(raw["MemorySize"]),
        timeout_s=int(raw["Timeout"]),
        architecture=(raw.get("Architectures") or ["x86_64"])[0],
        package_type=raw.get("PackageType", "Zip"),
    )


class LambdaService(ServiceBase):
    name = "lambda"

    @cached
    def functions(self) -> list[Function]:
        raw = self.paginate("ListFunctions", "Functions")
        return parse_items(self, "ListFunctions", raw, _function, lambda r: r["FunctionName"])
