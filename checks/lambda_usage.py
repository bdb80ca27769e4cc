"""Monthly GB-seconds of a Lambda function from its CloudWatch Duration, shared by the Lambda
checks."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from checks.model import ScanContext
from checks.services.cloudwatch import CloudWatchService, MetricSeries, query
from checks.services.lambda_ import Function, LambdaService

DAYS_PER_MONTH = Decimal("30.4167")  # 730 h / 24


@dataclass(frozen=True)
class Models:
    resources: list[Function]
    duration_sum: dict[str, MetricSeries]  # daily Sum of Duration (ms)
    duration_max: dict[str, MetricSeries]  # daily Maximum of Duration (ms)


def collect(ctx: ScanContext, days: int) -> Models:
    fns = ctx.service(LambdaService).functions()
    cw = ctx.service(CloudWatchService)
    out: list[dict[str, MetricSeries]] = []
    for stat in ("Sum", "Maximum"):
        qs = {f.name: query("AWS/Lambda", "Duration", stat, FunctionName=f.name) for f in fns}
        got = cw.series(qs.values(), days)
        out.append({k: got[q] for k, q in qs.items()})
    return Models(fns, out[0], out[1])


def monthly_gb_seconds(fn: Function, duration_ms_sum: float, days: int) -> Decimal:
    seconds = Decimal(str(duration_ms_sum)) / 1000
    gb = Decimal(fn.memory_mb) / 1024
    return (seconds * gb * DAYS_PER_MONTH / Decimal(days)).quantize(Decimal("0.001"))
