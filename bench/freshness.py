"""Freshness: time from a finding being produced to it being visible through the dashboard API.

For each of N findings (default 100), one at a time: a new snapshot set holding it (plus a
realistic base of other findings) is written by the real snapshot writer
(`sinks.snapshots.write_snapshot_set`, announced on Kafka when --bootstrap is given), and the
clock runs from just before the write until:

- baseline: the finding can be read back from `findings.json` on disk (the floor: no web);
- api-poll: a client polling `GET /api/findings/<id>` every 20 ms gets it (store reload);
- live-push: the page's path: the SSE event for the new version reaches a subscribed client
  and its `GET /api/findings/<id>` returns the finding (watcher + broadcast + fetch).

The dashboard runs as a real threaded HTTP server in this process with its production
watcher settings (manifest poll every 0.5 s; Kafka consumer when --bootstrap is given).
Prints p50 / p95 / max per path and the ratio of medians to the baseline, all from this run.
Target: live-push p95 < 5 s.

    .venv/bin/python bench/freshness.py [--findings 100] [--base 500] [--bootstrap HOST:PORT]

With --pipeline URL it measures the whole path instead, against a running system
(`finops demo`): a finding published on the raw topic until the dashboard's API lists it.

    .venv/bin/python bench/freshness.py --pipeline http://127.0.0.1:8080 --bootstrap HOST:PORT
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sinks.snapshots import KafkaAnnouncer, Watermark, write_snapshot_set  # noqa: E402
from web.app import create_app, stop_watchers  # noqa: E402
from web.sample import make_finding, make_findings, scans_for  # noqa: E402

TENANT = "bench"
POLL_S = 0.02
GIVE_UP_S = 60.0


class SseClient(threading.Thread):
    """Reads /api/events and records when each snapshot version's event arrived."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.arrivals: dict[int, float] = {}
        self.cond = threading.Condition()
        self.ready = threading.Event()

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=GIVE_UP_S * 2)
        conn.request("GET", "/api/events")
        resp = conn.getresponse()
        event = None
        while True:
            line = resp.fp.readline()
            if not line:
                return
            text = line.decode().rstrip("\n")
            if text.startswith("event: "):
                event = text[7:]
            elif text.startswith("data: "):
                doc = json.loads(text[6:])
                if event == "hello":
                    self.ready.set()
                elif event == "snapshot" and isinstance(doc.get("version"), int):
                    with self.cond:
                        self.arrivals.setdefault(doc["version"], time.perf_counter())
                        self.cond.notify_all()

    def wait_for(self, version: int, deadline: float) -> float:
        with self.cond:
            while version not in self.arrivals:
                left = deadline - time.perf_counter()
                if left <= 0:
                    raise TimeoutError(f"no SSE event for version {version}")
                self.cond.wait(left)
            return self.arrivals[version]


def fetch_finding(port: int, finding_id: str) -> bool:
    try:
        with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/api/findings/{finding_id}", timeout=10) as resp:
            return resp.status == 200
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return False
        raise


def until(predicate: Any, what: str) -> float:
    deadline = time.perf_counter() + GIVE_UP_S
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError(what)
        time.sleep(POLL_S)
    return time.perf_counter()


def docs_for(findings: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "findings.json": findings,
        "summary.json": {"tenant_id": TENANT, "findings": len(findings)},
        "top_savings.json": findings[:10],
        "correlated_findings.json": [],
        "coverage.json": {"tenant_id": TENANT, "cur_available": True},
        "scans.json": {"tenant_id": TENANT, "scans": scans_for(TENANT, findings)},
        "trend.json": {"tenant_id": TENANT, "points": []},
    }


def on_disk(directory: Path, finding_id: str) -> bool:
    try:
        return any(f.get("finding_id") == finding_id
                   for f in json.loads((directory / "findings.json").read_bytes()))
    except (OSError, ValueError):
        return False


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def pipeline(args: argparse.Namespace) -> int:
    """End to end against a running system (e.g. `finops demo`): a finding published on the
    raw topic -> stream -> Parquet -> jobs window -> snapshot -> web API. One finding every
    --every seconds (so samples fall at every phase of the jobs window); one search request
    every 100 ms finds which ones the API shows, by the run's tag."""
    from datetime import UTC, datetime
    from decimal import Decimal

    from contracts.finding import Finding
    from producers.publisher import FindingPublisher

    run = f"fresh-{int(time.time())}"
    headers = {"Authorization": f"Bearer {args.token}"} if args.token else {}
    url = args.pipeline.rstrip("/") + f"/api/findings?q=bench%3D{run}&per_page=500"
    published: dict[str, float] = {}
    seen: dict[str, float] = {}
    publisher = FindingPublisher(args.bootstrap)
    next_at = time.time()
    deadline = None
    while len(seen) < args.findings:
        now = time.time()
        if len(published) < args.findings and now >= next_at:
            i = len(published)
            finding = Finding(
                tenant_id=args.tenant, account_id=args.account, region="us-east-1",
                service="ec2", check_id="ebs_volume_unattached",
                resource_type="AWS::EC2::Volume", resource_id=f"vol-{run}-{i:04d}",
                title=f"freshness probe {i}", observed_at=datetime.now(UTC),
                estimated_monthly_savings=Decimal("1.00"), savings_formula="probe: fixed 1.00",
                tags={"bench": run},
                run_id=run)
            wire = finding.to_wire()
            published[wire["finding_id"]] = time.time()
            publisher.publish(finding)
            publisher.flush(10)
            next_at += args.every
            if len(published) == args.findings:
                deadline = time.time() + GIVE_UP_S * 5
        req = urllib.request.Request(url, headers=headers)
        with urllib.request.urlopen(req, timeout=10) as resp:
            items = json.load(resp)["data"]["items"]
        stamp = time.time()
        for item in items:
            if item["finding_id"] in published:
                seen.setdefault(item["finding_id"], stamp)
        if deadline is not None and time.time() > deadline:
            print(f"gave up: {len(seen)} of {args.findings} visible")
            break
        time.sleep(0.1)
    publisher.close()
    lat = [seen[f] - published[f] for f in seen]
    if not lat:
        print("no probe became visible: is the stream worker / jobs loop running, and does "
              "--tenant match the dashboard's tenant?")
        return 1
    print(f"end to end over {len(lat)} findings (one every {args.every}s) against "
          f"{args.pipeline}: p50 {statistics.median(lat):.2f} s, p95 {pct(lat, .95):.2f} s, "
          f"max {max(lat):.2f} s; target p95 < 5 s: {'met' if pct(lat, .95) < 5 else 'MISSED'}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--findings", type=int, default=100, help="findings measured")
    parser.add_argument("--pipeline", default=None, metavar="URL",
                        help="measure end to end against a running dashboard at URL "
                        "(publishes on the raw topic at --bootstrap)")
    parser.add_argument("--tenant", default="acme", help="tenant of the probes (--pipeline)")
    parser.add_argument("--account", default="123456789012", help="account of the probes")
    parser.add_argument("--token", default=None, help="API token of --tenant (--pipeline)")
    parser.add_argument("--every", type=float, default=0.5,
                        help="seconds between probes (--pipeline)")
    parser.add_argument("--base", type=int, default=500, help="other findings in every set")
    parser.add_argument("--bootstrap", default=None,
                        help="Kafka bootstrap: announce on Kafka and let the web consume it")
    parser.add_argument("--watch-interval", type=float, default=0.5,
                        help="manifest poll interval of the web app (production default 0.5)")
    args = parser.parse_args()
    if args.pipeline:
        if not args.bootstrap:
            raise SystemExit("--pipeline needs --bootstrap (where the raw topic is)")
        return pipeline(args)

    from werkzeug.serving import make_server

    from finops.logs import configure_logging

    configure_logging("WARNING")  # no per-request lines in the figures' output
    jitter = random.Random(11)

    data_dir = Path(tempfile.mkdtemp(prefix="finops-freshness-"))
    snapshots = data_dir / "snapshots"
    app = create_app({"DATA_DIR": data_dir, "AUTH_DISABLED": True, "DEMO_TENANT": TENANT,
                      "KAFKA_BOOTSTRAP": args.bootstrap, "WATCH_INTERVAL": args.watch_interval})
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    port = httpd.server_port
    announcer = None
    if args.bootstrap:
        from schemas.topics import SNAPSHOTS_TOPIC, ensure_topics

        ensure_topics(args.bootstrap, {SNAPSHOTS_TOPIC: 1})  # existing topic left alone
        announcer = KafkaAnnouncer(args.bootstrap)
    if args.bootstrap:
        for w in app.extensions["finops"]["watchers"]:
            if hasattr(w, "ready") and not w.ready.wait(60):
                raise SystemExit("web Kafka consumer got no assignment within 60 s")

    base = make_findings(TENANT, args.base, seed=3)
    write_snapshot_set(snapshots, TENANT, docs_for(base), as_of="2026-11-20T10:00:00Z",
                       watermark=Watermark((), {}), version=0, announcer=announcer)
    sse = SseClient(port)
    sse.start()
    if not sse.ready.wait(30):
        raise SystemExit("SSE client did not connect")

    rows: dict[str, list[float]] = {"baseline (on disk)": [], "api-poll": [], "live-push": []}
    for i in range(1, args.findings + 1):
        new = make_finding(TENANT, args.base + i, as_of=f"2026-11-20T10:{i % 60:02d}:00Z")
        fid = new["finding_id"]
        current = base + [new]
        t0 = time.perf_counter()
        write_snapshot_set(snapshots, TENANT, docs_for(current), as_of=new["observed_at"],
                           watermark=Watermark((), {}), version=i, announcer=announcer)
        t_disk = until(lambda fid=fid: on_disk(snapshots / TENANT, fid), "on disk")
        t_poll = until(lambda fid=fid: fetch_finding(port, fid), "api poll")
        t_event = sse.wait_for(i, t0 + GIVE_UP_S)
        if not fetch_finding(port, fid):
            raise SystemExit(f"event for version {i} arrived but the API lacks {fid}")
        t_push = time.perf_counter()
        # The push path is timed independently of the polls above: event arrival + one fetch.
        fetch_cost = t_push - max(t_event, t_poll)
        rows["baseline (on disk)"].append(t_disk - t0)
        rows["api-poll"].append(t_poll - t0)
        rows["live-push"].append(t_event - t0 + fetch_cost)
        base = current if i % 10 else base  # the set grows a little, like a real estate
        # Random phase against the watcher's poll, or the loop locks onto it and every
        # sample sees the same delay.
        time.sleep(jitter.uniform(0, min(args.watch_interval, 1.0)))

    httpd.shutdown()
    stop_watchers(app)
    base_med = statistics.median(rows["baseline (on disk)"])
    print(f"freshness over {args.findings} findings, {args.base}+ findings per set, "
          f"announce via {'kafka + file watcher' if args.bootstrap else 'file watcher'} "
          f"(poll {args.watch_interval}s)")
    print(f"{'path':<20}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}{'p50 / baseline':>16}")
    for name, values in rows.items():
        med = statistics.median(values)
        print(f"{name:<20}{med * 1e3:>10.1f}{pct(values, .95) * 1e3:>10.1f}"
              f"{max(values) * 1e3:>10.1f}{med / base_med:>15.1f}x")
    p95 = pct(rows["live-push"], .95)
    print(f"target live-push p95 < 5000 ms: {'met' if p95 < 5 else 'MISSED'} ({p95 * 1e3:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
