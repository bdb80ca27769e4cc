"""API latency at scale: what a dashboard user waits for on a large tenant.

Writes one sample snapshot set of N findings (default 50,000), then times, through the Flask
test client (no network), the first request after a new set (load + sha256 check + derived
data: the baseline, paid once per version, normally by the watcher before any page asks) and
the median of repeated requests per endpoint (served from the per-set cache). Prints medians
and the ratio to the baseline, all from this run.

    .venv/bin/python bench/web_api.py [--findings 50000] [--repeat 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from finops.logs import configure_logging  # noqa: E402
from web.app import create_app  # noqa: E402
from web.sample import make_findings, write_set  # noqa: E402


def timed(client: object, path: str) -> float:
    t0 = time.perf_counter()
    resp = client.get(path)  # type: ignore[attr-defined]
    elapsed = time.perf_counter() - t0
    if resp.status_code != 200:
        raise SystemExit(f"{path}: HTTP {resp.status_code}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--findings", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    configure_logging("WARNING")

    data_dir = Path(tempfile.mkdtemp(prefix="finops-webapi-"))
    findings = make_findings("bench", args.findings, hostile=True)
    write_set(data_dir, "bench", findings, version=1)
    app = create_app({"DATA_DIR": data_dir, "AUTH_DISABLED": True, "DEMO_TENANT": "bench",
                      "LIVE_WATCHERS": False})
    client = app.test_client()
    target = findings[len(findings) // 2]["finding_id"]
    paths = ["/api/overview", "/api/findings", "/api/findings?page=40&sort=-severity",
             "/api/findings?service=rds&region=eu-west-1", "/api/findings?q=team-2",
             f"/api/findings/{target}", "/api/coverage", "/api/scans"]

    first = {p: timed(client, p) for p in paths}  # the first one also loads the set
    baseline = sum(first.values())
    print(f"{args.findings} findings; first pass over {len(paths)} endpoints (load + derive): "
          f"{baseline * 1e3:.0f} ms = baseline")
    print(f"{'endpoint':<46}{'first ms':>10}{'median ms':>11}{'median / baseline':>19}")
    for path in paths:
        med = statistics.median(timed(client, path) for _ in range(args.repeat))
        print(f"{path[:45]:<46}{first[path] * 1e3:>10.1f}{med * 1e3:>11.1f}"
              f"{med / baseline:>18.4f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
