"""Cache clusters nobody connects to: every node bills by the hour."""

from __future__ import annotations

from datetime import datetime

from checks.config import CheckConfig
from checks.costs import hours_term
from checks.idle import IdleByMetricCheck, Watched
from checks.model import ScanContext, load_meta
from checks.services.cloudwatch import MetricSeries
from checks.services.elasticache import CacheCluster, ElastiCacheService
from contracts.finding import Finding

Models = Watched  # resources + daily Maximum of CurrConnections per cluster


class ElasticacheClusterIdle(IdleByMetricCheck):
    meta = load_meta(__file__)
    namespace, metric, dimension = "AWS/ElastiCache", "CurrConnections", "CacheClusterId"

    def resources(self, ctx: ScanContext) -> list[CacheCluster]:
        return ctx.service(ElastiCacheService).clusters()

    def judged(self, c: CacheCluster) -> datetime | None:
        return c.created if c.status == "available" else None

    def idle(self, ctx: ScanContext, cfg: CheckConfig, c: CacheCluster, series: MetricSeries,
             days: int) -> Finding:
        return self.idle_finding(
            ctx, cfg, c, name=c.id,
            title=f"ElastiCache cluster {c.id} ({c.nodes} x {c.node_type}) had no "
                  f"connections in {days} days",
            terms=[hours_term(f"elasticache:{c.node_type}:hour", c.nodes, "nodes")],
            confidence=0.85,
            details={"engine": c.engine, "node_type": c.node_type, "nodes": c.nodes,
                     "lookback_days": days})
