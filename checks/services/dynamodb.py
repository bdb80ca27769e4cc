"""DynamoDB tables with their billing mode and whether Application Auto Scaling manages them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from checks.services.base import ServiceBase, cached
from checks.services.ec2 import utc


@dataclass(frozen=True)
class Table:
    name: str
    arn: str
    created: datetime
    billing_mode: str  # PROVISIONED | PAY_PER_REQUEST
    rcu: int
    wcu: int
    autoscaled_read: bool
    autoscaled_write: bool


class DynamoDBService(ServiceBase):
    name = "dynamodb"

    @cached
    def tables(self) -> list[Table]:
        names = self.paginate("ListTables", "TableNames")
        scaled = self._autoscaled()
        out = []
        for name in names:
            described = self.per_resource(
                name, partial(self.call, "DescribeTable", TableName=name))
            if described is None:
                continue
            raw = described.get("Table") or {}
            try:
                out.append(self._table(raw, scaled))
            except (KeyError, TypeError, ValueError) as exc:
                self.record_malformed("DescribeTable", name, exc)
        return out

    @staticmethod
    def _table(raw: dict[str, Any], scaled: set[tuple[str, str]]) -> Table:
        name = raw["TableName"]
        mode = (raw.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED")
        tp = raw.get("ProvisionedThroughput") or {}
        return Table(
            name=name,
            arn=raw["TableArn"],
            created=utc(raw["CreationDateTime"]),
            billing_mode=mode,
            rcu=int(tp.get("ReadCapacityUnits") or 0),
            wcu=int(tp.get("WriteCapacityUnits") or 0),
            autoscaled_read=(f"table/{name}", "dynamodb:table:ReadCapacityUnits") in scaled,
            autoscaled_write=(f"table/{name}", "dynamodb:table:WriteCapacityUnits") in scaled,
        )

    def _autoscaled(self) -> set[tuple[str, str]]:
        aas = AutoScalingTargets(self.ctx)
        return {(t["ResourceId"], t["ScalableDimension"]) for t in aas.targets()}


class AutoScalingTargets(ServiceBase):
    name = "application-autoscaling"

    def targets(self) -> list[dict[str, Any]]:
        return self.paginate("DescribeScalableTargets", "ScalableTargets",
                             ServiceNamespace="dynamodb")
