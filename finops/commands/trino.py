"""`finops trino fetch|start|stop|status|query`: the real Trino server over the stream's Iceberg tables.

Exit codes: 0 done (or already in the asked-for state), 1 failed (message on stderr), 3 `status`
found no server running, 4 `status` found it running but not answering yet.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from common.settings import DATA_DIR


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "trino",
        help="fetch, start, stop or query the local Trino server (Iceberg connector on the stream's tables)",
        description="Trino from Maven Central on Java 25, catalog `iceberg` = the JDBC (SQLite) catalog "
        "that `finops stream --sink iceberg` writes (docs/iceberg.md).",
    )
    actions = parser.add_subparsers(dest="trino_action", metavar="ACTION")
    actions.required = True
    fetch_p = actions.add_parser("fetch", help="download and unpack the server (skipped when present)")
    fetch_p.add_argument("--force", action="store_true")
    fetch_p.set_defaults(handler=_fetch)
    for name, func, text in (
        ("start", _start, "start detached and wait until it answers (idempotent)"),
        ("stop", _stop, "stop it"),
        ("status", _status, "print whether it runs and answers"),
        ("query", _query, "run one SQL statement, print the rows as JSON lines"),
    ):
        p = actions.add_parser(name, help=text, description=text)
        p.add_argument("--port", type=int, default=41381, help="HTTP port on 127.0.0.1 (default 41381)")
        p.add_argument("--iceberg-dir", type=Path, default=DATA_DIR / "iceberg",
                       help="the stream's --iceberg-dir (catalog.db + warehouse)")
        if name == "start":
            p.add_argument("--wait", type=float, default=600.0, help="seconds to wait for start-up")
        if name == "query":
            p.add_argument("sql")
        p.set_defaults(handler=func)


def _server(args: argparse.Namespace):  # noqa: ANN202 - LocalTrino, imported lazily
    from finops.trino import LocalTrino

    return LocalTrino(args.iceberg_dir, port=args.port)


def _fetch(args: argparse.Namespace) -> int:
    from finops.trino import TrinoError, fetch

    try:
        print(fetch(force=args.force))
    except TrinoError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


def _start(args: argparse.Namespace) -> int:
    from finops.trino import TrinoError

    try:
        st = _server(args).start(wait=args.wait)
    except TrinoError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"trino pid {st.pid} at {st.url}; log {st.log}")
    return 0


def _stop(args: argparse.Namespace) -> int:
    print("stopped" if _server(args).stop() else "not running")
    return 0


def _status(args: argparse.Namespace) -> int:
    st = _server(args).status()
    print(f"running={st.running} answering={st.answering} pid={st.pid} url={st.url} log={st.log}")
    if not st.running:
        return 3
    return 0 if st.answering else 4


def _query(args: argparse.Namespace) -> int:
    from finops.trino import TrinoError

    try:
        for row in _server(args).query(args.sql):
            print(json.dumps(row, default=str))
    except (TrinoError, OSError) as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0
