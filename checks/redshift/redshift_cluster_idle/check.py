"""Redshift clusters with no connections for a week: paying for nodes nobody queries."""

from __future__ import annotations

from datetime import datetime

from checks.config import CheckConfig
from checks.costs import hours_term
from checks.idle import IdleByMetricCheck, Watched
from checks.model import ScanContext, load_meta
from checks.services.cloudwatch import MetricSeries
from checks.services.redshift import Cluster, RedshiftService
from contracts.finding import Finding

Models = Watched  # resources + daily Maximum of DatabaseConnections per cluster


class RedshiftClusterIdle(IdleByMetricCheck):
    meta = load_meta(__file__)
    namespace, metric, dimension = "AWS/Redshift", "DatabaseConnections", "ClusterIdentifier"

    def resources(self, ctx: ScanContext) -> list[Cluster]:
        return ctx.service(RedshiftService).clusters()

    def judged(self, c: Cluster) -> datetime | None:
        return c.created if c.status == "available" else None

    def idle(self, ctx: ScanContext, cfg: CheckConfig, c: Cluster, series: MetricSeries,
             days: int) -> Finding:
        return self.idle_finding(
            ctx, cfg, c, name=c.id,
            title=f"Redshift cluster {c.id} ({c.nodes} x {c.node_type}) had no connections "
                  f"in {days} days",
            terms=[hours_term(f"redshift:{c.node_type}:hour", c.nodes, "nodes")],
            confidence=0.85,
            details={"node_type": c.node_type, "nodes": c.nodes, "lookback_days": days})
