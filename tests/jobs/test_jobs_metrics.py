"""`finops jobs --metrics-port` (a long-running runner, no broker): a scrape shows the documented
names, one observation per stage per window, and the rows it holds, equal to the rows in the
lake's files (counted by DuckDB over the files)."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta
from typing import Any

import duckdb

from finops.broker import free_ports
from tools.scrape import names, scrape, value

DOCUMENTED = {"finops_jobs_window_stage_seconds_count", "finops_jobs_windows_total",
              "finops_jobs_files_loaded_total", "finops_jobs_tenants_rebuilt_total",
              "finops_jobs_rows"}


def _rows(lake: Any, folder: str) -> int:
    files = [str(p) for p in (lake.root / folder).rglob("*.parquet")]
    return duckdb.connect().execute("SELECT count(*) FROM read_parquet($f)",
                                    {"f": files}).fetchall()[0][0]


def test_jobs_metrics_scrape(lake: Any, kit: Any) -> None:
    lake.write_findings([kit.finding("ec2_eip_unassociated", "AWS::EC2::EIP", f"eipalloc-{i}")
                         for i in range(5)])
    lake.write_scans([kit.scan("run-1", started=kit.T0 - timedelta(minutes=5),
                           checks={"ec2_eip_unassociated": 5})])
    (port,) = free_ports(1)
    proc = subprocess.Popen([sys.executable, "-m", "finops.cli", "jobs", "--window", "1s",
                             "--data-dir", str(lake.root), "--no-announce", "--threads", "1",
                             "--metrics-port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        got: dict = {}
        for _ in range(150):  # polls until the first window is recorded
            try:
                got = scrape(f"http://127.0.0.1:{port}/metrics")
            except OSError:
                got = {}
            if value(got, "finops_jobs_windows_total", outcome="ok"):
                break
            time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(30)
    assert DOCUMENTED <= names(got), (proc.stderr.read() if proc.stderr else b"")[-2000:]
    assert value(got, "finops_jobs_rows", table="findings") == _rows(lake, "findings") == 5
    assert value(got, "finops_jobs_rows", table="scans") == _rows(lake, "scans") == 1
    assert value(got, "finops_jobs_files_loaded_total") == 2
    for stage in ("load", "lifecycle", "documents", "write"):
        assert (value(got, "finops_jobs_window_stage_seconds_count", stage=stage) or 0) >= 1
