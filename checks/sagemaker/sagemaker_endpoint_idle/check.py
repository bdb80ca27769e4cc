"""SageMaker real-time endpoints that served no invocation: their instances bill by the hour."""

from __future__ import annotations

from datetime import datetime

from checks.config import CheckConfig
from checks.costs import hours_term
from checks.idle import IdleByMetricCheck, Watched
from checks.model import ScanContext, load_meta
from checks.services.cloudwatch import MetricSeries
from checks.services.sagemaker import Endpoint, SageMakerService
from contracts.finding import Finding

Models = Watched  # endpoints + daily Sum of Invocations over all production variants


class SagemakerEndpointIdle(IdleByMetricCheck):
    meta = load_meta(__file__)
    namespace, metric, stat = "AWS/SageMaker", "Invocations", "Sum"
    silent_is_idle = True  # Invocations is published only for requests

    def resources(self, ctx: ScanContext) -> list[Endpoint]:
        return ctx.service(SageMakerService).endpoints()

    def dimension_sets(self, e: Endpoint) -> list[dict[str, str]]:
        return [{"EndpointName": e.id, "VariantName": v.name} for v in e.variants]

    def judged(self, e: Endpoint) -> datetime | None:
        hourly = any(v.instance_type and v.instances for v in e.variants)
        return e.created if e.status == "InService" and hourly else None  # serverless: per use

    def idle(self, ctx: ScanContext, cfg: CheckConfig, e: Endpoint, series: MetricSeries,
             days: int) -> Finding:
        terms = [hours_term(f"sagemaker:{v.instance_type}:hosting:hour", v.instances,
                            f"{v.name} instances")
                 for v in e.variants if v.instance_type and v.instances]
        return self.idle_finding(
            ctx, cfg, e, name=e.id,
            title=f"SageMaker endpoint {e.id} served no invocations in {days} days",
            terms=terms, confidence=0.85 if series.has_data else 0.75,
            details={"endpoint_config": e.config_name, "lookback_days": days,
                     "variants": {v.name: f"{v.instances} x {v.instance_type or 'serverless'}"
                                  for v in e.variants},
                     "datapoints": len(series.values)})
