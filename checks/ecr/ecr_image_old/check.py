"""Old images in repositories that never expire any: each pushed layer is billed for ever."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from checks.aged import Old, OldByAgeCheck
from checks.config import CheckConfig
from checks.model import ScanContext, load_meta
from checks.pricing import Term, estimate, gib_of
from checks.services.ecr import ECRService, Image, Repository


class EcrImageOld(OldByAgeCheck):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> list[Repository]:
        return ctx.service(ECRService).repositories()

    def candidates(self, models: list[Repository],
                   cfg: CheckConfig) -> Iterable[tuple[Repository, Image]]:
        keep = cfg.get("keep_latest")
        for repo in models:
            if not repo.has_lifecycle:
                newest_first = sorted(repo.images, key=lambda i: i.pushed, reverse=True)
                yield from ((repo, i) for i in newest_first[keep:])

    def since(self, ctx: ScanContext, ri: tuple[Repository, Image], models: object) -> datetime:
        return ri[1].pushed

    def old(self, ctx: ScanContext, cfg: CheckConfig, ri: tuple[Repository, Image], age: float,
            models: object) -> Old:
        repo, image = ri
        gb = gib_of(image.size_bytes)
        return Old(
            f"{repo.arn}/{image.digest}",
            f"ECR image {repo.name}@{image.digest[:19]} pushed {age:.0f} days ago, "
            f"repository without lifecycle policy",
            estimate(ctx.prices, ctx.region, [Term(gb, f"{gb} GiB image", "ecr:storage:gb-month")],
                     note="upper bound: layers shared with other images are billed once",
                     upper_bound=True),
            0.6,
            {"age_days": round(age, 1), "repository": repo.name, "image_digest": image.digest,
             "tagged": image.tagged, "image_size_bytes": image.size_bytes},
            name=f"{repo.name}@{image.digest}",
            group=f"{ctx.arn('AWS::ECR::Repository', repo.arn)}#lifecycle")
