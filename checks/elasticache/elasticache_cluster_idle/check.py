"""Cache clusters nobody connects to: every node bills by the hour."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from checks.config import CheckConfig
from checks.costs import hours_term
from checks.model import Check, ScanContext, days_between, load_meta
from checks.pricing import estimate
from checks.services.cloudwatch import CloudWatchService, MetricSeries, query
from checks.services.elasticache import CacheCluster, ElastiCacheService
from contracts.finding import Finding


@dataclass(frozen=True)
class Models:
    resources: list[CacheCluster]
    connections: dict[str, MetricSeries]  # daily Maximum of CurrConnections


class ElasticacheClusterIdle(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> Models:
        days = int(ctx.config.for_check(self.meta).get("lookback_days"))
        clusters = ctx.service(ElastiCacheService).clusters()
        qs = {c.id: query("AWS/ElastiCache", "CurrConnections", "Maximum", CacheClusterId=c.id)
              for c in clusters}
        got = ctx.service(CloudWatchService).series(qs.values(), days)
        return Models(clusters, {k: got[q] for k, q in qs.items()})

    def evaluate(self, models: Models, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        days = cfg.get("lookback_days")
        for c in models.resources:
            if c.status != "available" or c.created is None or \
                    days_between(c.created, ctx.now) < days:
                continue
            conns = models.connections.get(c.id)
            if conns is None or not conns.has_data or conns.maximum > 0:
                continue  # ElastiCache publishes CurrConnections continuously
            yield self.finding(
                ctx, cfg,
                resource_id=c.id,
                resource_name=c.id,
                title=f"ElastiCache cluster {c.id} ({c.nodes} x {c.node_type}) had no "
                      f"connections in {days} days",
                estimate=estimate(ctx.prices, ctx.region, [
                    hours_term(f"elasticache:{c.node_type}:hour", c.nodes, "nodes")]),
                confidence=0.85,
                details={"engine": c.engine, "node_type": c.node_type, "nodes": c.nodes,
                         "lookback_days": days},
                group=self.disposition(ctx, self.meta.resource_type, c.id),
            )
