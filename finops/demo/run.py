"""Start the parts in data-flow order, show progress, serve until Ctrl-C, stop in reverse order."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import signal
import time
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from common.settings import LOCAL_BROKER_PORT
from finops.demo import story
from finops.demo.processes import Child, StartError
from finops.demo.progress import report_lines, snapshot_line

DUMMY_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@dataclass
class DemoOptions:
    data_dir: Path
    tenant: str = "acme"
    web_port: int = 8080
    estate_port: int = 5000
    resources: int = 2000
    regions: str = "us-east-1,eu-west-1"
    accounts: int = 3
    interval: str = "2m"
    window: str = "10s"
    fresh: bool = False
    smoke: bool = False  # exit once the dashboard shows the first snapshot (used by tests)
    bootstrap: str | None = None
    remediate_after: int = 2  # scan rounds before `finops estate remediate` (0: never)
    remediate_share: float = 0.3


def step(n: int, total: int, text: str) -> None:
    print(f"[{n}/{total}] {text}", flush=True)


def _http_json(url: str) -> dict | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 - our own localhost
            return json.loads(resp.read())
    except (OSError, ValueError):
        return None


def _manifest_ready(path: Path, since: float) -> bool:
    return path.exists() and path.stat().st_mtime >= since


def run_demo(opts: DemoOptions) -> int:
    data = opts.data_dir.resolve()
    if opts.fresh and data.exists():
        shutil.rmtree(data)
    logs = data / "demo" / "logs"
    total = 7
    with ExitStack() as stack:
        # 1. broker
        bootstrap = opts.bootstrap
        if bootstrap is None:
            from finops.broker import ensure_dev_broker

            step(1, total, f"Kafka broker (KRaft) on 127.0.0.1:{LOCAL_BROKER_PORT} ...")
            bootstrap = ensure_dev_broker(stack)
        else:
            step(1, total, f"Kafka broker at {bootstrap} (given)")
        env = {"KAFKA_BOOTSTRAP_SERVERS": bootstrap, "FINOPS_DATA_DIR": str(data)}
        children: list[Child] = []

        def stop_children() -> None:
            for child in reversed(children):
                child.stop()

        stack.callback(stop_children)

        def launch(name: str, argv: list[str], extra_env: dict[str, str] | None = None) -> Child:
            child = Child(name, argv, logs / f"{name}.log", {**env, **(extra_env or {})}).start()
            children.append(child)
            return child

        # 2. simulated estate
        manifest = data / "estate" / "manifest.json"
        story.reset(data, opts.tenant)
        step(2, total, f"simulated AWS estate (moto, {opts.resources} resources, {opts.regions}) ...")
        started = time.time()
        estate = launch("estate", ["estate", "up", "--port", str(opts.estate_port), "--resources",
                                   str(opts.resources), "--regions", opts.regions, "--accounts",
                                   str(opts.accounts), "--manifest", str(manifest)])
        estate.wait_for(lambda: _manifest_ready(manifest, started), "seeded estate", 600)
        accounts = json.loads(manifest.read_text()).get("accounts", [])
        endpoint = f"http://127.0.0.1:{opts.estate_port}"

        # 3. billing data (enrichment only: its absence fails nothing)
        step(3, total, "billing data: the estate's own hourly CUR 2.0 bill (generated for the demo)")
        reports = io.StringIO()
        with contextlib.redirect_stdout(reports):  # the commands' JSON reports, in words below
            rc = story.bill(data, manifest, opts.tenant) if accounts else 1
        for line in report_lines(reports.getvalue()):
            print(f"      {line}")
        print(f"      cost facts in {data / 'cur_facts'} (bill: {story.bill_dir(data, opts.tenant)})"
              if rc == 0 else "      bill step failed: dashboard shows no billing data")

        # 4-7. the stream, scanners, jobs, dashboard
        step(4, total, "stream processor (faust worker, consumer group finops-stream) ...")
        launch("stream", ["stream", "--out", str(data / "findings"), "--scans-out", str(data / "scans"),
                          "--data-dir", str(data), "--max-open-age", "1"])
        step(5, total, f"scanners: one per region, every {opts.interval}, tenant {opts.tenant} ...")
        launch("scan", ["scan", "--tenant", opts.tenant, "--workspace", "prod", "--regions", opts.regions,
                        "--org", "--endpoint-url", endpoint, "--interval", opts.interval], DUMMY_AWS)
        step(6, total, f"windowed jobs every {opts.window} (CUR enrichment, correlation, snapshots) ...")
        jobs = launch("jobs", ["jobs", "--window", opts.window, "--data-dir", str(data)])
        snapshot = data / "snapshots" / opts.tenant / "manifest.json"
        jobs.wait_for(snapshot.exists, "first snapshot", 600, needs=children)
        step(7, total, "dashboard ...")
        # auth off (a local demo; every page says so), and so that the finding page's suppress
        # button can be tried, writes allowed too (a real deployment serves --tokens)
        web = launch("web", ["web", "--port", str(opts.web_port), "--data-dir", str(data),
                             "--no-auth", "--tenant", opts.tenant, "--allow-writes-without-auth"])
        url = f"http://127.0.0.1:{opts.web_port}/"
        # a set the dashboard has loaded (one being rewritten the moment it looks is refused,
        # and the next poll finds it whole), so the first line below has figures in it
        web.wait_for(lambda: bool(((_http_json(f"{url}api/overview") or {}).get("meta") or {})
                                  .get("has_snapshot")), "dashboard answer with a snapshot", 120)
        summary = _http_json(f"{url}api/overview") or {}
        print(f"\nfinops-stream is running: open {url}  (auth off: local demo; anyone on this "
              "machine may suppress findings)")
        print(f"  Parquet: {data / 'findings'}   snapshots: {data / 'snapshots'}   logs: {logs}")
        print(f"  {snapshot_line(summary)}", flush=True)
        if opts.smoke:
            return 0
        cells = len(accounts) * len([r for r in opts.regions.split(",") if r.strip()])
        fix_pending = opts.remediate_after > 0
        if fix_pending:
            print(f"  after {opts.remediate_after} scan rounds: finops estate remediate --share "
                  f"{opts.remediate_share}, then the bill runs {story.PROJECT_DAYS} days ahead")
        print("Ctrl-C stops everything; a line per new snapshot follows.", flush=True)
        stop = {"now": False}
        signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
        shown = snapshot_line(summary)
        try:
            while not stop["now"]:
                dead = [c.name for c in children if not c.alive()]
                if dead:
                    raise StartError(f"{', '.join(dead)} stopped; see {logs}")
                if fix_pending and story.completed_rounds(data / "scans", cells) >= opts.remediate_after:
                    fix_pending = False
                    reports = io.StringIO()
                    with contextlib.redirect_stdout(reports):
                        done = story.remediate(data, manifest, opts.tenant, opts.remediate_share)
                    for line in report_lines(reports.getvalue()):
                        print(f"      {line}")
                    print(f"remediated: {done['fixed']} resources fixed ({done['failed']} failed); "
                          "the next scan resolves them, the dashboard then shows realized savings",
                          flush=True)
                time.sleep(1)
                now = _http_json(f"{url}api/overview")
                line = snapshot_line(now) if now else shown
                if line != shown:
                    print(f"  {time.strftime('%H:%M:%S')} {line}", flush=True)
                    shown = line
        except KeyboardInterrupt:
            pass
        print("\nstopping ...", flush=True)
    return 0
