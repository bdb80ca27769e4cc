"""Dashboards whose every graph is empty: their resources are gone, the $3 a month is not."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from checks.config import CheckConfig
from checks.model import Check, ScanContext, days_between, load_meta
from checks.pricing import Term, estimate, fixed
from checks.services.cloudwatch import CloudWatchService, MetricQuery, MetricSeries
from checks.services.cloudwatch_dashboards import GLOBAL_REGION, Dashboard, DashboardsService
from contracts.finding import Finding


@dataclass(frozen=True)
class Models:
    resources: list[Dashboard]
    series: dict[MetricQuery, MetricSeries]


class CloudwatchDashboardUnused(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> Models:
        if ctx.region != GLOBAL_REGION:
            return Models([], {})  # global: one scan judges the dashboards, not one per region
        boards = ctx.service(DashboardsService).dashboards()
        days = int(ctx.config.for_check(self.meta).get("lookback_days"))
        wanted = [q for b in boards for q in b.metrics or ()]
        return Models(boards, ctx.service(CloudWatchService).series(wanted, days) if wanted
                      else {})

    def evaluate(self, models: Models, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        days, free = cfg.get("lookback_days"), cfg.get("free_dashboards")
        unused = sorted((b for b in models.resources if self.shows_nothing(b, models, days, ctx)),
                        key=lambda b: b.name)
        payable = max(0, len(models.resources) - free)
        for n, b in enumerate(unused):
            est = (estimate(ctx.prices, ctx.region,
                            [Term(Decimal(1), "1 dashboard", "cloudwatch:dashboard:month")])
                   if n < payable else
                   fixed(Decimal(0), f"within the {free} free dashboards of the account "
                         f"({len(models.resources)} dashboards, {len(unused)} unused)"))
            metrics = len(b.metrics or ())
            yield self.finding(
                ctx, cfg,
                resource_id=b.arn,
                resource_name=b.name,
                title=f"CloudWatch dashboard {b.name} shows no data "
                      f"({'no widgets' if not b.widgets else f'{metrics} metrics, none with data'})",
                estimate=est,
                confidence=0.7,
                details={"widgets": b.widgets, "metrics": metrics,
                         "dashboards_in_account": len(models.resources),
                         "last_modified": b.modified.isoformat()},
                group=self.disposition(ctx, self.meta.resource_type, b.arn),
            )

    @staticmethod
    def shows_nothing(b: Dashboard, models: Models, days: int, ctx: ScanContext) -> bool:
        if b.metrics is None or days_between(b.modified, ctx.now) < days:
            return False
        if not b.widgets:
            return True
        if not b.metrics:
            return False  # text only: a page of notes, not an empty graph
        return not any(models.series.get(q) is not None and models.series[q].has_data
                       for q in b.metrics)
