"""OpenSearch domains that served no search and indexed nothing: nodes and storage for no one."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from checks.config import CheckConfig
from checks.costs import hours_term
from checks.idle import IdleByMetricCheck, Watched
from checks.model import ScanContext, load_meta
from checks.pricing import Term
from checks.services.cloudwatch import MetricSeries
from checks.services.opensearch import Domain, OpenSearchService
from contracts.finding import Finding

Models = Watched  # domains + daily Maximum of SearchRate + IndexingRate per domain


class OpensearchDomainIdle(IdleByMetricCheck):
    meta = load_meta(__file__)
    namespace, metrics = "AWS/ES", ("SearchRate", "IndexingRate")

    def resources(self, ctx: ScanContext) -> list[Domain]:
        return ctx.service(OpenSearchService).domains()

    def dimension_sets(self, d: Domain) -> list[dict[str, str]]:
        return [{"ClientId": d.account_id, "DomainName": d.id}]

    def judged(self, d: Domain) -> datetime | None:
        return None if d.processing or d.deleted else d.created

    def idle(self, ctx: ScanContext, cfg: CheckConfig, d: Domain, series: MetricSeries,
             days: int) -> Finding:
        terms = [hours_term(f"opensearch:{d.instance_type}:hour", d.instances, "data nodes")]
        if d.master_type and d.masters:
            terms.append(hours_term(f"opensearch:{d.master_type}:hour", d.masters, "masters"))
        if d.warm_type and d.warm:
            terms.append(hours_term(f"opensearch:{d.warm_type}:hour", d.warm, "warm nodes"))
        if d.ebs_type and d.ebs_gib_per_node:
            gib = d.ebs_gib_per_node * d.instances
            terms.append(Term(Decimal(gib), f"{gib} GiB", f"opensearch:{d.ebs_type}:gb-month"))
        return self.idle_finding(
            ctx, cfg, d, name=d.id,
            title=f"OpenSearch domain {d.id} ({d.instances} x {d.instance_type}) served no "
                  f"search and indexed nothing in {days} days",
            terms=terms, confidence=0.85,
            details={"instance_type": d.instance_type, "instances": d.instances,
                     "masters": d.masters, "ebs_gib_per_node": d.ebs_gib_per_node,
                     "lookback_days": days, "datapoints": len(series.values)})
