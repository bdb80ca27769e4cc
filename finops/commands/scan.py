"""`finops scan`: run the checks over accounts x regions; findings to Kafka (or stdout).

Exit codes: 0 every scan ok, 1 could not start (no credentials, bad config, broker down),
2 usage, 3 at least one (account, region) scan was partial or failed.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from typing import TYPE_CHECKING

import boto3

from common.metrics import add_metrics_port

if TYPE_CHECKING:
    from checks.config import TenantConfig
    from producers.accounts import AccountDirectory
    from producers.scanner import ScanRequest

log = logging.getLogger("finops.scan")
EXIT_FAILED = 1
EXIT_PARTIAL = 3
NO_AWS = (
    "finops scan: no AWS credentials and no endpoint configured.\n"
    "  For a local simulated estate run `finops estate up` in another terminal, then\n"
    "  `AWS_ENDPOINT_URL=http://127.0.0.1:5000 finops scan ...` (or pass --endpoint-url).\n"
    "  For real AWS configure credentials (AWS_PROFILE, env vars, SSO...)."
)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "scan", help="scan AWS accounts/regions and publish findings",
        description="One scanner thread per region, one (account, region) scan at a time per "
        "region. Findings go to Kafka (finops.findings.raw.v1), a summary per (account, region) "
        "to finops.scans.v1; --stdout prints JSON lines instead.")
    p.add_argument("--tenant", required=True, help="tenant id stamped on every finding")
    p.add_argument("--workspace", default="default", help="workspace (default %(default)s)")
    p.add_argument("--regions", required=True, help="comma-separated regions")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--accounts", help="comma-separated account ids (default: the caller's)")
    who.add_argument("--org", action="store_true", help="every active account of the org")
    p.add_argument("--role-name", default="OrganizationAccountAccessRole",
                   help="role assumed in member accounts (default %(default)s)")
    p.add_argument("--interval", help="scan again every interval (30s, 15m, 1h) until stopped")
    p.add_argument("--stdout", action="store_true", help="JSON lines on stdout, not Kafka")
    p.add_argument("--checks", help="comma-separated check ids (default: all)")
    p.add_argument("--config", help="tenant thresholds file (YAML or JSON)")
    p.add_argument("--endpoint-url", default=None,
                   help="AWS endpoint (e.g. the local estate); AWS_ENDPOINT_URL works too")
    p.add_argument("--serial", action="store_true", help="scan regions one after another")
    add_metrics_port(p)
    p.set_defaults(handler=_scan)


def _csv(text: str | None) -> tuple[str, ...]:
    return tuple(x.strip() for x in (text or "").split(",") if x.strip())


def _base_session(endpoint: str | None) -> boto3.session.Session | None:
    """The caller's session; a local endpoint without credentials gets moto's dummy ones."""
    session = boto3.session.Session()
    if session.get_credentials() is not None:
        return session
    if endpoint:
        log.info("no AWS credentials; using dummy ones for the local endpoint")
        return boto3.session.Session(aws_access_key_id="testing",
                                     aws_secret_access_key="testing")
    return None


def _scan(args: argparse.Namespace) -> int:
    from checks.config import ConfigError, TenantConfig
    from producers.accounts import AccountDirectory
    from producers.scanner import ScanRequest, parse_interval

    endpoint = args.endpoint_url or os.environ.get("AWS_ENDPOINT_URL")
    base = _base_session(endpoint)
    if base is None:
        print(NO_AWS, file=sys.stderr)
        return EXIT_FAILED
    try:
        interval = parse_interval(args.interval) if args.interval else None
        config = TenantConfig.load(args.config) if args.config else TenantConfig()
    except (ValueError, ConfigError) as exc:
        print(f"finops scan: {exc}", file=sys.stderr)
        return EXIT_FAILED
    request = ScanRequest(args.tenant, args.workspace, _csv(args.regions), _csv(args.accounts),
                          args.org, _csv(args.checks) or None)
    directory = AccountDirectory(base, role_name=args.role_name, endpoint_url=args.endpoint_url)
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: _stopping(stop))
                for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        return _run(args, request, directory, config, interval, stop)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _run(args: argparse.Namespace, request: ScanRequest, directory: AccountDirectory,
         config: TenantConfig, interval: float | None, stop: threading.Event) -> int:
    from checks.config import ConfigError
    from producers.accounts import AccountError
    from producers.publisher import DeliveryError
    from producers.scan_sinks import KafkaSink, ScanSink, StdoutSink
    from producers.scanner import Scanner

    publisher = None
    sink: ScanSink
    if args.stdout:
        sink = StdoutSink(sys.stdout)
    else:
        from common.settings import bootstrap_servers
        from producers.publisher import FindingPublisher
        from schemas.topics import DEFAULT_PARTITIONS, RAW_TOPIC, SCANS_TOPIC, ensure_topics

        try:
            ensure_topics(bootstrap_servers(), {RAW_TOPIC: DEFAULT_PARTITIONS,
                                                SCANS_TOPIC: DEFAULT_PARTITIONS}, timeout=15)
        except Exception as exc:  # noqa: BLE001 - librdkafka raises several types
            print(f"finops scan: Kafka at {bootstrap_servers()} unavailable: {exc}\n"
                  "  start it with `finops broker start`, or use --stdout", file=sys.stderr)
            return EXIT_FAILED
        publisher = FindingPublisher(bootstrap_servers())
        sink = KafkaSink(publisher)
    from common.metrics import serve_metrics
    from producers.metrics import MeteredSink

    serve_metrics(args.metrics_port)
    try:
        scanner = Scanner(directory, request, MeteredSink(sink), config=config, stop=stop,
                          concurrent=not args.serial)
        summaries = scanner.run(interval)
        if publisher is not None:
            publisher.flush()
    except (AccountError, KeyError, ConfigError, DeliveryError) as exc:
        print(f"finops scan: {exc}", file=sys.stderr)
        return EXIT_FAILED
    total = sum(s.findings for s in summaries)
    bad = [s for s in summaries if s.status != "ok"]
    log.info("scan finished", extra={"scans": len(summaries), "findings": total,
                                     "not_ok": len(bad)})
    return EXIT_PARTIAL if bad else 0


def _stopping(stop: threading.Event) -> None:
    if not stop.is_set():
        log.info("stopping: finishing scans in flight, then flushing")
    stop.set()
