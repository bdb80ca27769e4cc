"""Repositories without a lifecycle policy accumulate every image ever pushed."""

from __future__ import annotations

from collections.abc import Iterable

from checks.config import CheckConfig
from checks.model import Check, ScanContext, days_between, load_meta
from checks.pricing import Term, estimate, gib_of
from checks.services.ecr import ECRService, Repository
from contracts.finding import Finding


class EcrRepositoryNoLifecycle(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> list[Repository]:
        return ctx.service(ECRService).repositories()

    def evaluate(self, models: list[Repository], cfg: CheckConfig,
                 ctx: ScanContext) -> Iterable[Finding]:
        max_age, keep = cfg.get("max_image_age_days"), cfg.get("keep_latest")
        for repo in models:
            if repo.has_lifecycle:
                continue
            newest_first = sorted(repo.images, key=lambda i: i.pushed, reverse=True)
            expirable = [i for i in newest_first[keep:]
                         if days_between(i.pushed, ctx.now) > max_age]
            size = sum(i.size_bytes for i in expirable)
            gb = gib_of(size)
            yield self.finding(
                ctx, cfg,
                resource_id=repo.arn,
                resource_name=repo.name,
                title=f"ECR repository {repo.name} has no lifecycle policy "
                      f"({len(expirable)} of {len(repo.images)} images expirable)",
                estimate=estimate(ctx.prices, ctx.region, [
                    Term(gb, f"{gb} GiB in {len(expirable)} images older than {max_age} d "
                             f"beyond the newest {keep}", "ecr:storage:gb-month")]),
                confidence=0.7,
                details={"images": len(repo.images), "expirable_images": len(expirable),
                         "expirable_bytes": size},
                group=f"{ctx.arn(self.meta.resource_type, repo.arn)}#lifecycle",
            )
