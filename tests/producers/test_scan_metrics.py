"""`finops scan --metrics-port` against the moto estate: after the first round, a scrape shows the
documented names, API calls by service, and findings per check equal to the findings the scan
printed (--stdout JSON lines, counted here)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from estate import start_estate
from finops.broker import free_ports
from tools.scrape import families, scrape, value

CHECKS = "ec2_eip_unassociated,ec2_ebs_volume_unattached,logs_log_group_no_retention"
DOCUMENTED = {"finops_scan_api_calls", "finops_scan_api_errors", "finops_scan_api_throttles",
              "finops_scan_findings", "finops_scan_scans"}


def test_scan_metrics_scrape(tmp_path: Path) -> None:
    out = tmp_path / "scan.jsonl"
    (port,) = free_ports(1)
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_DEFAULT_REGION": "us-east-1"}
    with start_estate(seed=3, resources=60, regions=("us-east-1",), accounts=1) as estate, \
            open(out, "w") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "finops.cli", "scan", "--tenant", "acme", "--regions",
             "us-east-1", "--endpoint-url", estate.endpoint, "--checks", CHECKS, "--stdout",
             "--interval", "1h", "--metrics-port", str(port)],
            stdout=sink, stderr=subprocess.PIPE, env=env)
        try:
            url = f"http://127.0.0.1:{port}/metrics"
            got: dict = {}
            for _ in range(300):  # polls until the first round's summary is counted
                try:
                    got = scrape(url)
                except OSError:
                    got = {}
                if value(got, "finops_scan_scans_total", status="ok"):
                    break
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                time.sleep(0.2)
            names = families(url)
        finally:
            proc.terminate()
            proc.wait(30)
    assert DOCUMENTED <= names
    assert (value(got, "finops_scan_api_calls_total", service="ec2") or 0) > 0
    assert (value(got, "finops_scan_api_calls_total", service="cloudwatch-logs") or 0) > 0
    lines = [json.loads(line) for line in out.read_text().splitlines() if line.strip()]
    printed = Counter(r["check_id"] for r in lines if r.get("record") == "finding")
    assert printed and all(
        value(got, "finops_scan_findings_total", check_id=c) == n for c, n in printed.items())
