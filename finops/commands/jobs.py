"""`finops jobs [--once] [--window 30s]`: the windowed DuckDB jobs that publish snapshot sets.

Every window: load new/rewritten findings and scan Parquet, refresh lifecycle, CUR enrichment,
suppressions and correlation for the tenants that changed, and write their JSON snapshot sets
(announced on finops.snapshots.v1), and publish lifecycle events + states transactionally
(finops.findings.events.v1 / finops.findings.state.v1, see docs/jobs.md). `--once` runs exactly one window over what is there and
exits: the same output a long-running runner reaches over the same input.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from common.metrics import add_metrics_port, serve_metrics
from common.settings import DATA_DIR

log = logging.getLogger("finops.jobs")


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "jobs", help="windowed jobs: lifecycle, CUR, correlation -> JSON snapshots"
    )
    p.add_argument("--once", action="store_true", help="run one window and exit")
    p.add_argument("--window", default="30s", help="window length: 30s, 5m, 1h (default 30s)")
    p.add_argument("--data-dir", type=Path, default=DATA_DIR, help="root of the defaults below")
    p.add_argument("--findings-dir", type=Path, help="default <data-dir>/findings")
    p.add_argument("--scans-dir", type=Path, help="default <data-dir>/scans")
    p.add_argument("--iceberg-dir", type=Path, default=None,
                   help="read findings and scans from the Iceberg tables here (the stream's --iceberg-dir) "
                        "instead of the Parquet dirs; same snapshots either way (docs/iceberg.md)")
    p.add_argument("--snapshots-dir", type=Path, help="default <data-dir>/snapshots")
    p.add_argument("--facts-dir", type=Path, help="CUR cost facts, default <data-dir>/cur_facts")
    p.add_argument("--suppressions-dir", type=Path,
                   help="<tenant>.json suppression files, default <data-dir>/suppressions")
    p.add_argument("--rules-dir", type=Path, help="correlation rules (default: the shipped ones)")
    p.add_argument("--threads", type=int, default=None, help="DuckDB threads (default: all)")
    p.add_argument("--top", type=int, default=50, help="entries in top_savings.json")
    p.add_argument("--history", default=None,
                   help="only findings/scans this close to the data's as-of time count, and older "
                        "rows are dropped from memory (e.g. 30d; default: keep everything)")
    p.add_argument("--bootstrap-servers", default=None,
                   help="announce snapshot sets here (default: KAFKA_BOOTSTRAP_SERVERS if set)")
    p.add_argument("--no-announce", action="store_true",
                   help="do not announce on Kafka (nor publish lifecycle events)")
    p.add_argument("--no-lifecycle", action="store_true",
                   help="do not publish lifecycle events and states on Kafka")
    p.add_argument("--events-topic", default=None, help="default finops.findings.events.v1")
    p.add_argument("--state-topic", default=None, help="default finops.findings.state.v1")
    p.add_argument("--transactional-id", default=None,
                   help="of the lifecycle producer (default: finops-jobs-lifecycle-<hash of the "
                        "snapshots dir>: one jobs instance per output, an older one is fenced)")
    add_metrics_port(p)
    p.set_defaults(handler=_run)


def job_paths(args: argparse.Namespace) -> Any:
    from jobs.window import JobPaths

    base = JobPaths.under(args.data_dir)
    return JobPaths(
        findings_dir=args.findings_dir or base.findings_dir,
        scans_dir=args.scans_dir or base.scans_dir,
        snapshots_dir=args.snapshots_dir or base.snapshots_dir,
        facts_dir=args.facts_dir or base.facts_dir,
        suppressions_dir=args.suppressions_dir or base.suppressions_dir,
        rules_dir=args.rules_dir or base.rules_dir,
        iceberg_dir=args.iceberg_dir,
    )


def _announcer(args: argparse.Namespace) -> Any:
    from sinks.snapshots import KafkaAnnouncer, NullAnnouncer

    servers = args.bootstrap_servers or os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if args.no_announce or not servers:
        return NullAnnouncer()
    from schemas.topics import SNAPSHOTS_TOPIC, ensure_topics

    try:  # compacted: the latest announcement per tenant is what a late subscriber needs
        ensure_topics(servers, {SNAPSHOTS_TOPIC: 1}, compacted=frozenset({SNAPSHOTS_TOPIC}),
                      timeout=5.0)
    except Exception as exc:  # Kafka down: announce best effort later, never fail the jobs
        log.warning("cannot ensure the snapshots topic",
                    extra={"topic": SNAPSHOTS_TOPIC, "error": str(exc)})
    return KafkaAnnouncer(servers)


def _lifecycle(args: argparse.Namespace, snapshots_dir: Path) -> Any:
    """The transactional lifecycle publisher, or None (no broker, --no-announce/--no-lifecycle).
    Unlike announcements this is not best effort: events must not be skipped, so a broker that
    is configured but down fails the start."""
    servers = args.bootstrap_servers or os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if args.no_announce or args.no_lifecycle or not servers:
        return None
    import hashlib

    from schemas.topics import DEFAULT_PARTITIONS, EVENTS_TOPIC, STATE_TOPIC, ensure_topics
    from sinks.lifecycle_topics import TRANSACTIONAL_ID, LifecyclePublisher

    events, state = args.events_topic or EVENTS_TOPIC, args.state_topic or STATE_TOPIC
    ensure_topics(servers, {events: DEFAULT_PARTITIONS, state: DEFAULT_PARTITIONS},
                  compacted=frozenset({state}))
    tid = args.transactional_id or (
        f"{TRANSACTIONAL_ID}-"
        f"{hashlib.sha256(str(snapshots_dir.resolve()).encode()).hexdigest()[:12]}")
    return LifecyclePublisher(servers, events_topic=events, state_topic=state,
                              transactional_id=tid)


def _run(args: argparse.Namespace) -> int:
    from jobs.correlation.engine import RuleError, parse_window
    from jobs.window import JobRunner, run_forever

    try:
        window = parse_window(args.window, "--window").total_seconds()
        history = parse_window(args.history, "--history") if args.history else None
        paths = job_paths(args)
        runner = JobRunner(paths, announcer=_announcer(args), threads=args.threads,
                           top_n=args.top, history=history,
                           lifecycle=_lifecycle(args, paths.snapshots_dir))
    except RuleError as exc:
        print(f"finops jobs: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # KafkaException, TimeoutError: the lifecycle topics are unreachable
        print(f"finops jobs: lifecycle topics: {exc}", file=sys.stderr)
        return 2
    try:
        if args.once:
            report = runner.run_window()
            sys.stdout.write(json.dumps({
                "tenants_rebuilt": report.tenants_rebuilt,
                "tenants_written": report.tenants_written,
                "files_loaded": report.files_loaded,
                "stages_s": {k: round(v, 3) for k, v in sorted(report.stages.items())},
                "error": report.error,
            }, sort_keys=True) + "\n")
            return 1 if report.error else 0
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        from jobs.metrics import observe_window

        serve_metrics(args.metrics_port)
        return run_forever(runner, window, stop,
                           on_window=lambda report: observe_window(report, runner.con))
    finally:
        runner.close()
        if runner.lifecycle is not None:
            runner.lifecycle.close()
