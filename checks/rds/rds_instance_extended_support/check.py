"""Engine versions past standard support are billed RDS Extended Support per vCPU-hour."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal

from checks.config import CheckConfig
from checks.costs import rds_engine_family
from checks.model import Check, ScanContext, days_between, load_meta
from checks.pricing import HOURS_PER_MONTH, Term, estimate, unknown
from checks.services.rds import DBInstance, RDSService
from contracts.finding import Finding

# (engine family, major version prefix) -> start of Extended Support (end of standard support).
# Source: AWS RDS/Aurora "Extended Support" documentation, release calendars (2025).
EXTENDED_SUPPORT_START: dict[tuple[str, str], datetime] = {
    ("mysql", "5.7"): datetime(2024, 3, 1, tzinfo=UTC),
    ("mysql", "8.0"): datetime(2026, 8, 1, tzinfo=UTC),
    ("postgresql", "11"): datetime(2024, 3, 1, tzinfo=UTC),
    ("postgresql", "12"): datetime(2025, 3, 1, tzinfo=UTC),
    ("postgresql", "13"): datetime(2026, 3, 1, tzinfo=UTC),
    ("aurora-mysql", "5.7"): datetime(2024, 11, 1, tzinfo=UTC),
    ("aurora-postgresql", "11"): datetime(2024, 3, 1, tzinfo=UTC),
    ("aurora-postgresql", "12"): datetime(2025, 3, 1, tzinfo=UTC),
    ("aurora-postgresql", "13"): datetime(2026, 3, 1, tzinfo=UTC),
}
YEAR3_AFTER_DAYS = 730  # the per-vCPU rate doubles from the third year of Extended Support


def support_start(engine: str, version: str) -> datetime | None:
    family = rds_engine_family(engine)
    for (fam, prefix), start in EXTENDED_SUPPORT_START.items():
        if fam == family and (version == prefix or version.startswith(prefix + ".")):
            return start
    return None


class RdsInstanceExtendedSupport(Check):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> list[DBInstance]:
        return ctx.service(RDSService).instances()

    def evaluate(self, models: list[DBInstance], cfg: CheckConfig,
                 ctx: ScanContext) -> Iterable[Finding]:
        warn = cfg.get("warn_days_before")
        for db in models:
            start = support_start(db.engine, db.engine_version)
            if start is None:
                continue
            into = days_between(start, ctx.now)  # negative: not yet in Extended Support
            if into < -warn:
                continue
            spec = ctx.prices.spec("rds", db.instance_class)
            rate_key = "rds:extended-support-y3:vcpu-hour" if into >= YEAR3_AFTER_DAYS else \
                "rds:extended-support-y1:vcpu-hour"
            copies = 2 if db.multi_az else 1
            if spec is None or "vcpu" not in spec:
                est = unknown(f"vCPU count of {db.instance_class} not in the catalog",
                              f"spec:rds:{db.instance_class}:vcpu")
            else:
                vcpu = int(spec["vcpu"]) * copies
                est = estimate(ctx.prices, ctx.region,
                               [Term(Decimal(vcpu) * HOURS_PER_MONTH, f"{vcpu} vCPU x 730 h",
                                     rate_key)], note="avoided by upgrading")
            state = "in Extended Support" if into >= 0 else \
                f"enters Extended Support in {-into:.0f} days"
            yield self.finding(
                ctx, cfg,
                resource_id=db.id,
                resource_name=db.id,
                title=f"RDS instance {db.id} ({db.engine} {db.engine_version}) {state}",
                estimate=est,
                confidence=0.9 if into >= 0 else 0.6,
                details={"engine": db.engine, "engine_version": db.engine_version,
                         "extended_support_start": start.date().isoformat(),
                         "instance_class": db.instance_class, "multi_az": db.multi_az},
                group=f"{ctx.arn(self.meta.resource_type, db.id)}#engine-version",
                tags=db.tags,
            )
