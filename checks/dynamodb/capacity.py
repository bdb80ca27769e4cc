"""Consumed-capacity metrics and the repricing of provisioned capacity, shared by the two
DynamoDB checks (which share one alternative group: both propose a new capacity level)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from checks.model import ScanContext
from checks.pricing import HOURS_PER_MONTH, Term
from checks.services.cloudwatch import CloudWatchService, MetricSeries, query
from checks.services.dynamodb import DynamoDBService, Table

HOUR = 3600
DIMENSIONS = (("read", "ConsumedReadCapacityUnits", "dynamodb:rcu:hour"),
              ("write", "ConsumedWriteCapacityUnits", "dynamodb:wcu:hour"))


@dataclass(frozen=True)
class Models:
    resources: list[Table]
    consumed: dict[tuple[str, str], MetricSeries]  # (table, "read"|"write") -> hourly sums


def collect(ctx: ScanContext, days: int, mode: str = "PROVISIONED") -> Models:
    """Tables of one billing mode with their hourly consumed read and write units."""
    tables = [t for t in ctx.service(DynamoDBService).tables() if t.billing_mode == mode]
    qs = {(t.name, kind): query("AWS/DynamoDB", metric, "Sum", HOUR, TableName=t.name)
          for t in tables for kind, metric, _ in DIMENSIONS}
    got = ctx.service(CloudWatchService).series(qs.values(), days)
    return Models(tables, {k: got[q] for k, q in qs.items()})


def provisioned(table: Table, kind: str) -> int:
    return table.rcu if kind == "read" else table.wcu


def capacity_term(kind: str, key: str, units: int, sign: int = 1) -> Term:
    label = f"{units} {'RCU' if kind == 'read' else 'WCU'} x 730 h"
    return Term(Decimal(units) * HOURS_PER_MONTH, label, key, sign)


def per_second(series: MetricSeries | None) -> tuple[float, float]:
    """(mean, peak-hour) consumed units per second; zeros when nothing was published."""
    if series is None or not series.has_data:
        return 0.0, 0.0
    return series.total / (len(series.values) * HOUR), series.maximum / HOUR
