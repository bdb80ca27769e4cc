"""Scan throughput over the simulated estate: regions concurrent vs serial, in the same run.

    python bench/scan.py [--resources 4000] [--regions r1,r2,r3,r4] [--accounts 1] [--repeat 3]

The estate runs in its own process (`finops estate up`), as AWS would be remote: the scanner's
threads then compete only with each other for this process's GIL, not with moto's handlers.
Each repetition scans the whole estate once concurrently (one thread per region) and once
serially, alternating, so drift on a shared machine hits both. Prints medians and the ratio.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from contracts.finding import Finding  # noqa: E402
from estate.manifest import Manifest  # noqa: E402
from producers.accounts import AccountDirectory  # noqa: E402
from producers.scan_summary import ScanSummary  # noqa: E402
from producers.scanner import Scanner, ScanRequest  # noqa: E402

REGIONS = "us-east-1,eu-west-1,us-west-2,ap-southeast-1"


class CountingSink:
    """Counts what a scan emits; the bench measures scanning, not output."""

    def __init__(self) -> None:
        self.findings = 0
        self.summaries = 0

    def finding(self, finding: Finding) -> None:
        finding.to_wire()  # the identity work a real sink does per finding
        self.findings += 1

    def summary(self, summary: ScanSummary) -> None:
        self.summaries += 1

    def flush(self) -> None:
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_estate(args: argparse.Namespace, manifest: Path) -> tuple[subprocess.Popen, str, float]:
    port = free_port()
    cmd = [sys.executable, "-m", "finops.cli", "--log-level", "WARNING", "estate", "up",
           "--port", str(port), "--seed", str(args.seed), "--resources", str(args.resources),
           "--regions", args.regions, "--accounts", str(args.accounts),
           "--manifest", str(manifest)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("serving until"):
            return proc, f"http://127.0.0.1:{port}", time.perf_counter() - t0
    raise SystemExit(f"estate did not start (exit {proc.wait()})")


def scan_once(endpoint: str, regions: tuple[str, ...], concurrent: bool) -> tuple[float, int, int]:
    base = boto3.session.Session(aws_access_key_id="bench", aws_secret_access_key="bench")
    directory = AccountDirectory(base, endpoint_url=endpoint)
    sink = CountingSink()
    scanner = Scanner(directory, ScanRequest("bench", "bench", regions, org=True), sink,
                      concurrent=concurrent)
    t0 = time.perf_counter()
    summaries = scanner.scan_round()
    wall = time.perf_counter() - t0
    errors = sum(len(s.errors) for s in summaries)
    return wall, sink.findings, errors


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--resources", type=int, default=4000)
    p.add_argument("--regions", default=REGIONS)
    p.add_argument("--accounts", type=int, default=1)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    regions = tuple(args.regions.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        manifest_path = Path(tmp) / "manifest.json"
        proc, endpoint, seed_s = start_estate(args, manifest_path)
        try:
            manifest = Manifest.read(manifest_path)
            resources = sum(manifest.resources.values())
            print(f"estate: {resources} resources, {len(manifest.waste)} waste, "
                  f"{len(regions)} regions x {args.accounts} accounts, seeded in {seed_s:.1f}s")
            runs: dict[str, list[tuple[float, int, int]]] = {"concurrent": [], "serial": []}
            for _ in range(args.repeat):
                for mode in ("concurrent", "serial"):
                    runs[mode].append(scan_once(endpoint, regions, mode == "concurrent"))
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
    print(f"{'mode':<11} {'median wall s':>13} {'findings':>9} {'findings/s':>11} "
          f"{'resources/s':>12} {'errors':>7}")
    medians = {}
    for mode, rs in runs.items():
        wall = statistics.median(r[0] for r in rs)
        medians[mode] = wall
        print(f"{mode:<11} {wall:>13.2f} {rs[0][1]:>9} {rs[0][1] / wall:>11.1f} "
              f"{resources / wall:>12.1f} {max(r[2] for r in rs):>7}")
    print(f"serial / concurrent wall-time ratio: {medians['serial'] / medians['concurrent']:.2f}"
          f" (cpu cores: {os.cpu_count()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
