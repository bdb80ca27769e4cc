"""RDS gp2 -> gp3: gp3's IOPS do not depend on the size, at the same price or less."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from checks.config import CheckConfig
from checks.costs import GP2_SMALL_THROUGHPUT, gp2_baseline_iops, gp2_sustained_throughput
from checks.model import Check, ScanContext, load_meta
from checks.pricing import Estimate, Term, estimate
from checks.services.rds import DBInstance, RDSService
from contracts.finding import Finding

ENGINES = ("mysql", "mariadb", "postgres")  # gp3 baselines below differ for Oracle, SQL Server
LARGE_GIB = 400  # from here gp3 includes 12,000 IOPS and 500 MiB/s; below, 3,000 and 125
GP3_IOPS = {False: 3000, True: 12000}
GP3_MIBPS = {False: 125, True: 500}


def gp3_parity(size_gib: int) -> tuple[int, bool]:
    """(IOPS gp3 must provision above its baseline to match gp2, whether throughput matches)."""
    large = size_gib >= LARGE_GIB
    extra = max(0, gp2_baseline_iops(size_gib) - GP3_IOPS[large])
    mibps = gp2_sustained_throughput(size_gib)
    # small gp2 volumes sustain 128 MiB/s, gp3 below 400 GiB 125: 2% less, taken as parity
    return extra, mibps <= GP3_MIBPS[large] or mibps == GP2_SMALL_THROUGHPUT


def switch_estimate(ctx: ScanContext, db: DBInstance, extra_iops: int) -> Estimate:
    az = ":multi-az" if db.multi_az else ""
    gib = Decimal(db.storage_gib)
    terms = [Term(gib, f"{db.storage_gib} GiB gp2", f"rds:gp2{az}:gb-month"),
             Term(gib, f"{db.storage_gib} GiB gp3", f"rds:gp3{az}:gb-month", sign=-1)]
    if extra_iops:
        terms.append(Term(Decimal(extra_iops), f"{extra_iops} IOPS above 12000",
                          f"rds:gp3{az}:iops-month", sign=-1))
    return estimate(ctx.prices, ctx.region, terms)


class RdsInstanceStorageGp2ToGp3(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> list[DBInstance]:
        return ctx.service(RDSService).instances()

    def evaluate(self, models: list[DBInstance], cfg: CheckConfig,
                 ctx: ScanContext) -> Iterable[Finding]:
        for db in models:
            if (db.storage_type != "gp2" or db.cluster_id or db.engine not in ENGINES
                    or db.status not in ("available", "stopped")):
                continue
            extra, throughput_kept = gp3_parity(db.storage_gib)
            if not throughput_kept:
                continue  # 334-399 GiB: gp3 cannot match gp2's 250 MiB/s below 400 GiB
            est = switch_estimate(ctx, db, extra)
            if est.amount is not None and est.amount < 0:
                continue
            large = db.storage_gib >= LARGE_GIB
            yield self.finding(
                ctx, cfg,
                resource_id=db.arn or db.id,
                resource_name=db.id,
                title=f"RDS instance {db.id} ({db.storage_gib} GiB) is on gp2: move to gp3",
                estimate=est,
                confidence=0.8 if est.amount else 0.6,
                details={"storage_gib": db.storage_gib, "multi_az": db.multi_az,
                         "gp2_baseline_iops": gp2_baseline_iops(db.storage_gib),
                         "gp3_baseline_iops": GP3_IOPS[large], "gp3_extra_iops": extra,
                         "engine": db.engine},
                group=self.disposition(ctx, self.meta.resource_type, db.arn or db.id),
                tags=db.tags,
            )
