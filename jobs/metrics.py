"""Jobs metrics (docs/metrics.md): per window, the seconds of each stage (summed over the tenants
rebuilt), the outcome, files loaded, and the rows the runner holds in memory per table."""

from __future__ import annotations

from typing import Any

from prometheus_client import Counter, Gauge, Histogram

WINDOW_STAGE = Histogram("finops_jobs_window_stage_seconds", "Seconds per stage in one window "
                         "(load, lifecycle, enrich, suppress, correlate, documents, write, events)",
                         ["stage"], buckets=(0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))
WINDOWS = Counter("finops_jobs_windows", "Windows run", ["outcome"])
FILES = Counter("finops_jobs_files_loaded", "New or rewritten input files loaded")
TENANTS = Counter("finops_jobs_tenants_rebuilt", "Tenant snapshot sets rebuilt")
ROWS = Gauge("finops_jobs_rows", "Rows held in the in-memory tables", ["table"])


def observe_window(report: Any, con: Any) -> None:
    """Record one WindowReport; `con` is the runner's DuckDB connection (same thread)."""
    for stage, secs in report.stages.items():
        WINDOW_STAGE.labels(stage).observe(secs)
    FILES.inc(report.files_loaded)
    TENANTS.inc(len(report.tenants_rebuilt))
    for table in ("findings", "scans"):
        ROWS.labels(table).set(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])
    WINDOWS.labels("error" if report.error else "ok").inc()  # last: a window counted is complete
