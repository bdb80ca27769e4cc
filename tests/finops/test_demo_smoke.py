"""The main job end to end, small: broker (the session's), estate, CUR sample, stream, scanners,
jobs and dashboard all start, and the dashboard serves the first snapshot with findings in it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from finops.broker import free_ports

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def test_demo_runs_the_whole_system(kafka_bootstrap: str, tmp_path: Path) -> None:
    web_port, estate_port = free_ports(2)
    data = tmp_path / "data"
    proc = subprocess.run(
        [sys.executable, "-m", "finops.cli", "demo", "--smoke", "--fresh", "--data-dir", str(data),
         "--port", str(web_port), "--estate-port", str(estate_port), "--bootstrap", kafka_bootstrap,
         "--resources", "300", "--interval", "30s", "--window", "3s", "--tenant", "demo"],
        capture_output=True, text=True, timeout=900, check=False,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert f"open http://127.0.0.1:{web_port}/" in out
    # the console in words: the bill commands' JSON reports and the overview summarized
    console = proc.stdout.splitlines()
    assert not [line for line in console if line.lstrip().startswith(("{", "}", '"'))], proc.stdout
    assert any(line.strip().startswith("bill written: ") and "hourly lines" in line
               for line in console), proc.stdout
    assert any("bill lines normalized (" in line for line in console), proc.stdout
    snapshot = [line for line in console if line.strip().startswith("snapshot v")]
    assert snapshot, proc.stdout
    assert "findings counted" in snapshot[0] and "/month estimated savings" in snapshot[0], snapshot
    assert list((data / "findings").rglob("*.parquet")), "the stream wrote no Parquet"
    manifest = json.loads((data / "snapshots" / "demo" / "manifest.json").read_text())
    assert manifest["tenant_id"] == "demo"
    findings = json.loads((data / "snapshots" / "demo" / "findings.json").read_text())
    items = findings["findings"] if isinstance(findings, dict) else findings
    assert len(items) > 0
