"""SageMaker real-time endpoints (with the instances behind each production variant, which
only the endpoint config names) and notebook instances."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from checks.services.base import ServiceBase, cached, parse_items
from checks.services.ec2 import utc


@dataclass(frozen=True)
class Variant:
    name: str
    instance_type: str | None  # None: a serverless variant (billed per request, not per hour)
    instances: int


@dataclass(frozen=True)
class Endpoint:
    id: str  # the endpoint name
    status: str
    created: datetime
    config_name: str
    variants: tuple[Variant, ...]


@dataclass(frozen=True)
class NotebookInstance:
    id: str  # the notebook instance name
    status: str
    instance_type: str
    created: datetime
    last_modified: datetime  # the last start or update: running at least since then
    lifecycle_config: str | None


def _variants(endpoint: dict[str, Any], config: dict[str, Any]) -> tuple[Variant, ...]:
    """Instance type from the config, instance count from the endpoint (autoscaling moves it)."""
    counts = {v["VariantName"]: v.get("CurrentInstanceCount")
              for v in endpoint.get("ProductionVariants") or []}
    out = []
    for v in config.get("ProductionVariants") or []:
        current = counts.get(v["VariantName"])
        count = current if current is not None else v.get("InitialInstanceCount") or 0
        out.append(Variant(v["VariantName"], v.get("InstanceType"), int(count)))
    return tuple(out)


def _notebook(raw: dict[str, Any]) -> NotebookInstance:
    return NotebookInstance(
        id=raw["NotebookInstanceName"], status=raw["NotebookInstanceStatus"],
        instance_type=raw["InstanceType"], created=utc(raw["CreationTime"]),
        last_modified=utc(raw.get("LastModifiedTime") or raw["CreationTime"]),
        lifecycle_config=raw.get("NotebookInstanceLifecycleConfigName"))


class SageMakerService(ServiceBase):
    name = "sagemaker"

    @cached
    def endpoints(self) -> list[Endpoint]:
        out = []
        for summary in self.paginate("ListEndpoints", "Endpoints"):
            name = summary.get("EndpointName", "<unknown>")
            got = self.per_resource(name, partial(self._endpoint, name))
            if got is not None:  # an endpoint we could not read is not judged
                out.append(got)
        return out

    def _endpoint(self, name: str) -> Endpoint | None:
        raw = self.call("DescribeEndpoint", EndpointName=name)
        config = self.call("DescribeEndpointConfig", EndpointConfigName=raw["EndpointConfigName"])
        try:
            return Endpoint(name, raw["EndpointStatus"], utc(raw["CreationTime"]),
                            raw["EndpointConfigName"], _variants(raw, config))
        except (KeyError, TypeError, ValueError) as exc:
            self.record_malformed("DescribeEndpoint", name, exc)
            return None

    @cached
    def notebook_instances(self) -> list[NotebookInstance]:
        raw = self.paginate("ListNotebookInstances", "NotebookInstances")
        return parse_items(self, "ListNotebookInstances", raw, _notebook,
                           lambda r: r["NotebookInstanceName"])
