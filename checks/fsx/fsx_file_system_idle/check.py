"""FSx file systems nothing read from or wrote to: storage and throughput capacity bill anyway."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from checks.config import CheckConfig
from checks.idle import IdleByMetricCheck, Watched
from checks.model import ScanContext, load_meta
from checks.pricing import Term
from checks.services.cloudwatch import MetricSeries
from checks.services.fsx import FileSystem, FSxService
from contracts.finding import Finding

Models = Watched  # file systems + daily Sum of DataReadBytes + DataWriteBytes per file system


def capacity_terms(fs: FileSystem) -> list[Term]:
    """Storage GiB at the rate of its type/deployment/storage (Lustre's also by its MB/s per TiB)
    plus provisioned throughput MB/s (Windows, ONTAP, OpenZFS)."""
    kind = f"{fs.type}-{fs.deployment}-{fs.storage_type}".lower()
    if fs.per_unit_throughput:
        kind += f"-{fs.per_unit_throughput}"
    terms = [Term(Decimal(fs.storage_gib), f"{fs.storage_gib} GiB", f"fsx:{kind}:gb-month")]
    if fs.throughput_mbps:
        terms.append(Term(Decimal(fs.throughput_mbps), f"{fs.throughput_mbps} MBps",
                          f"fsx:{fs.type.lower()}-{fs.deployment.lower()}:mbps-month"))
    return terms


class FsxFileSystemIdle(IdleByMetricCheck):
    meta = load_meta(__file__)
    namespace, metrics, dimension = "AWS/FSx", ("DataReadBytes", "DataWriteBytes"), "FileSystemId"
    stat = "Sum"

    def resources(self, ctx: ScanContext) -> list[FileSystem]:
        return ctx.service(FSxService).file_systems()

    def judged(self, fs: FileSystem) -> datetime | None:
        return fs.created if fs.lifecycle == "AVAILABLE" else None

    def idle(self, ctx: ScanContext, cfg: CheckConfig, fs: FileSystem, series: MetricSeries,
             days: int) -> Finding:
        return self.idle_finding(
            ctx, cfg, fs, name=fs.tags.get("Name"),
            title=f"FSx for {fs.type.title()} file system {fs.id} ({fs.storage_gib} GiB) read and "
                  f"wrote nothing in {days} days",
            terms=capacity_terms(fs), confidence=0.85,
            details={"type": fs.type, "deployment": fs.deployment, "storage_gib": fs.storage_gib,
                     "storage_type": fs.storage_type, "throughput_mbps": fs.throughput_mbps,
                     "lookback_days": days, "datapoints": len(series.values)})
