"""`finops web --metrics-port`: a scrape counts the requests made here by route and status and
shows the one SSE stream this test keeps open."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from finops.broker import free_ports
from tools.scrape import families, scrape, value

DOCUMENTED = {"finops_web_requests", "finops_web_request_seconds", "finops_web_sse_clients"}


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_web_metrics_scrape(tmp_path: Path) -> None:
    port, mport = free_ports(2)
    proc = subprocess.Popen([sys.executable, "-m", "finops.cli", "web", "--port", str(port),
                             "--no-auth", "--tenant", "acme", "--no-kafka", "--data-dir",
                             str(tmp_path), "--metrics-port", str(mport)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base, murl = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{mport}/metrics"
    try:
        for _ in range(600):  # polls until the dashboard answers (slow to start on a busy box)
            try:
                if _get(f"{base}/healthz") == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else b""
            time.sleep(0.2)
        assert _get(f"{base}/healthz") == 200 and _get(f"{base}/healthz") == 200
        missing = _get(f"{base}/no-such-page")
        events = urllib.request.urlopen(f"{base}/api/events", timeout=10)  # noqa: SIM115
        try:
            assert events.readline().startswith(b"retry:")  # the stream is open
            got = scrape(murl)
            names = families(murl)
        finally:
            events.close()
    finally:
        proc.terminate()
        proc.wait(30)
    assert DOCUMENTED <= names
    # three answered /healthz: the poll that first got through, and the two after it
    assert value(got, "finops_web_requests_total", route="/healthz", method="GET",
                 status="200") == 3
    assert value(got, "finops_web_requests_total", route="unmatched", method="GET",
                 status=str(missing)) == 1
    assert value(got, "finops_web_sse_clients", tenant="acme") == 1
