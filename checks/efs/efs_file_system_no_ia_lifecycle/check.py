"""EFS file systems that keep every file in Standard: no policy moves cold files to IA."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from checks.config import CheckConfig
from checks.model import Check, ScanContext, days_between, load_meta
from checks.pricing import Term, estimate, gib_of
from checks.services.efs import EFSService, FileSystem
from contracts.finding import Finding


class EfsFileSystemNoIaLifecycle(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> list[FileSystem]:
        return ctx.service(EFSService).file_systems()

    def evaluate(self, models: list[FileSystem], cfg: CheckConfig,
                 ctx: ScanContext) -> Iterable[Finding]:
        cold = Decimal(str(cfg.get("assumed_cold_fraction")))
        for fs in models:
            if any(t.startswith("TransitionToIA=") for t in fs.transitions):
                continue
            if days_between(fs.created, ctx.now) < cfg.get("min_age_days"):
                continue
            standard = gib_of(fs.standard_bytes)
            if standard < Decimal(str(cfg.get("min_standard_gib"))):
                continue
            moved = (standard * cold).quantize(Decimal("0.001"))
            label = f"{moved} GiB ({standard} GiB Standard x {cold} assumed cold)"
            yield self.finding(
                ctx, cfg,
                resource_id=fs.arn or fs.id,
                resource_name=fs.name or fs.id,
                title=f"EFS file system {fs.id} has no lifecycle policy to Infrequent Access "
                      f"({standard} GiB in Standard)",
                estimate=estimate(ctx.prices, ctx.region, [
                    Term(moved, label, "efs:standard:gb-month"),
                    Term(moved, label, "efs:ia:gb-month", sign=-1)],
                    note="IA read/write access charges not included"),
                confidence=0.4,
                details={"standard_bytes": fs.standard_bytes, "size_bytes": fs.size_bytes,
                         "assumed_cold_fraction": str(cold)},
                group=f"{ctx.arn(self.meta.resource_type, fs.arn or fs.id)}#lifecycle",
                tags=fs.tags,
            )
