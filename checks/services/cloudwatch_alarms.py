"""CloudWatch metric alarms (DescribeAlarms), kept apart from the metric reads: alarms are
resources billed per month, metrics are evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from checks.services.base import ServiceBase, cached, parse_items


@dataclass(frozen=True)
class Alarm:
    name: str
    arn: str
    namespace: str
    metric: str
    dimensions: dict[str, str] = field(default_factory=dict)
    high_resolution: bool = False  # period under 60 s: billed at the high-resolution rate
    state: str = ""


def _alarm(raw: dict[str, Any]) -> Alarm:
    return Alarm(
        name=raw["AlarmName"],
        arn=raw["AlarmArn"],
        namespace=raw.get("Namespace", ""),
        metric=raw.get("MetricName", ""),
        dimensions={d["Name"]: d["Value"] for d in raw.get("Dimensions") or []},
        high_resolution=int(raw.get("Period") or 60) < 60,
        state=raw.get("StateValue", ""),
    )


class CloudWatchAlarmsService(ServiceBase):
    name = "cloudwatch"

    @cached
    def alarms(self) -> list[Alarm]:
        raw = self.paginate("DescribeAlarms", "MetricAlarms")
        return parse_items(self, "DescribeAlarms", raw, _alarm, lambda r: r["AlarmName"])
