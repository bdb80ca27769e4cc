"""`finops broker fetch|start|stop|status`: the project's own local Kafka broker.

Exit codes: 0 done (or already in the asked-for state), 1 the broker failed (message on stderr),
3 `status` found no broker running, 4 `status` found it running but not answering.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from common.settings import LOCAL_BROKER_PORT, LOCAL_CONTROLLER_PORT
from finops.broker import (
    BrokerError,
    LocalBroker,
    default_data_dir,
    fetch,
    recorded_controller_port,
)

EXIT_FAILED = 1
EXIT_NOT_RUNNING = 3
EXIT_NOT_ANSWERING = 4


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "broker",
        help="fetch, start, stop or inspect the local Kafka broker",
        description="A single-node KRaft Kafka broker run from jars fetched with Maven "
        "(no Docker needed). Its config, pid file, log and data live in --data-dir.",
    )
    actions = parser.add_subparsers(dest="broker_action", metavar="ACTION")
    actions.required = True
    fetch_p = actions.add_parser(
        "fetch", help="download the Kafka jars with Maven (skipped when present)"
    )
    fetch_p.add_argument("--force", action="store_true", help="download even if present")
    fetch_p.set_defaults(handler=_fetch)
    for name, func, text in (
        ("start", _start, "start the broker detached and wait until it answers (idempotent)"),
        ("stop", _stop, "stop the broker cleanly (SIGTERM, SIGKILL after --timeout)"),
        ("status", _status, "print pid, listening address, log file and whether it answers"),
    ):
        sub = actions.add_parser(name, help=text, description=text)
        _add_location_args(sub)
        sub.set_defaults(handler=func)
        if name == "start":
            sub.add_argument(
                "--wait", type=float, default=60.0, help="seconds to wait for it (default 60)"
            )
            sub.add_argument("--no-fetch", action="store_true", help="fail if jars are missing")
        if name == "stop":
            sub.add_argument(
                "--timeout", type=float, default=30.0, help="seconds before SIGKILL (default 30)"
            )


def _add_location_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--port", type=int, default=LOCAL_BROKER_PORT,
        help=f"client (PLAINTEXT) port on 127.0.0.1 (default {LOCAL_BROKER_PORT})",
    )  # fmt: skip
    parser.add_argument(
        "--controller-port", type=int, default=None,
        help="KRaft controller port on 127.0.0.1 (default: the one recorded in --data-dir, "
        f"else {LOCAL_CONTROLLER_PORT} for the default --port, else --port + 1)",
    )  # fmt: skip
    parser.add_argument(
        "--data-dir", type=Path, default=None,
        help="config, pid, log and topic data (default .cache/kafka/data-<port>)",
    )  # fmt: skip


def _broker(args: argparse.Namespace) -> LocalBroker:
    """Controller port: as given, else as recorded in the data dir, else the default pairing."""
    data_dir = args.data_dir or default_data_dir(args.port)
    controller = args.controller_port or recorded_controller_port(data_dir)
    if controller is None:
        controller = LOCAL_CONTROLLER_PORT if args.port == LOCAL_BROKER_PORT else args.port + 1
    return LocalBroker(args.port, controller, data_dir)


def _fail(exc: Exception) -> int:
    print(f"finops broker: {exc}", file=sys.stderr)
    return EXIT_FAILED


def _fetch(args: argparse.Namespace) -> int:
    try:
        libs = fetch(force=args.force)
    except BrokerError as exc:
        return _fail(exc)
    print(f"kafka jars in {libs}")
    return 0


def _start(args: argparse.Namespace) -> int:
    broker = _broker(args)
    try:
        if not args.no_fetch:
            fetch()
        status = broker.start(wait=args.wait)
    except BrokerError as exc:
        return _fail(exc)
    print(f"broker pid {status.pid} listening on {status.bootstrap}; log {status.log_path}")
    return 0


def _stop(args: argparse.Namespace) -> int:
    broker = _broker(args)
    try:
        stopped = broker.stop(timeout=args.timeout)
    except BrokerError as exc:
        return _fail(exc)
    print("broker stopped" if stopped else f"no broker running on {broker.bootstrap}")
    return 0


def _status(args: argparse.Namespace) -> int:
    status = _broker(args).status()
    if not status.running:
        print(f"no broker running on {status.bootstrap} (data dir {status.data_dir})")
        return EXIT_NOT_RUNNING
    answer = "answering" if status.reachable else "NOT answering"
    print(
        f"broker pid {status.pid} listening on {status.bootstrap} "
        f"(controller {status.controller}), {answer}\n"
        f"log:      {status.log_path}\ndata dir: {status.data_dir}"
    )
    return 0 if status.reachable else EXIT_NOT_ANSWERING
