"""SageMaker notebook instances left running for days: billed per hour whether or not a kernel
runs. The API publishes no activity metric, so the signal is an uninterrupted run."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from checks.config import CheckConfig
from checks.costs import hours_term
from checks.model import Check, ScanContext, days_between, load_meta
from checks.pricing import estimate
from checks.services.sagemaker import NotebookInstance, SageMakerService
from contracts.finding import Finding


@dataclass(frozen=True)
class Models:
    notebooks: list[NotebookInstance]


class SagemakerNotebookInstanceIdle(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> Models:
        return Models(ctx.service(SageMakerService).notebook_instances())

    def evaluate(self, models: Models, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        limit = cfg.get("running_days")
        for nb in models.notebooks:
            running = days_between(nb.last_modified, ctx.now)
            if nb.status != "InService" or running < limit:
                continue
            yield self.finding(
                ctx, cfg,
                resource_id=nb.id,
                resource_name=nb.id,
                title=f"SageMaker notebook {nb.id} ({nb.instance_type}) has run "
                      f"{int(running)} days without a stop",
                estimate=estimate(
                    ctx.prices, ctx.region,
                    [hours_term(f"sagemaker:{nb.instance_type}:studio-notebook:hour", 1,
                                "instance")],
                    note="priced at the Studio notebook rate of the same type (the shared "
                         "snapshot has no notebook-instance map)"),
                confidence=0.6,  # no kernel-activity metric: long-running, not proven unused
                details={"instance_type": nb.instance_type, "running_days": round(running, 1),
                         "lifecycle_config": nb.lifecycle_config},
                group=self.disposition(ctx, self.meta.resource_type, nb.id),
            )
