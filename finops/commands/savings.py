"""`finops savings rates`: the customer's effective unit rates derived from the cost facts, with
provenance (JSON on stdout, sorted keys; logs on stderr)."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from common.settings import DATA_DIR
from jobs.bill_rates import DEFAULT_DAYS, derive_rates


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("savings", help="rates from the bill, realized savings")
    sub = parser.add_subparsers(dest="savings_command", metavar="ACTION")
    sub.required = True
    p = sub.add_parser("rates", help="effective unit rates per usage type from the cost facts")
    p.add_argument("--facts", type=Path, default=DATA_DIR / "cur_facts")
    p.add_argument("--tenant", default=None)
    p.add_argument("--start", type=_timestamp, default=None, help="ISO time (inclusive)")
    p.add_argument("--end", type=_timestamp, default=None,
                   help="ISO time, exclusive (default: latest usage end in the facts)")
    p.add_argument("--days", type=int, default=DEFAULT_DAYS, help="window when --start is unset")
    p.add_argument("--resources", action="store_true", help="also each resource's own rate")
    p.set_defaults(handler=_rates)


def _timestamp(text: str) -> datetime:
    ts = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


def _rates(args: argparse.Namespace) -> int:
    table = derive_rates(args.facts, end=args.end, days=args.days, start=args.start,
                         tenant=args.tenant)
    rows = [r for r in (table.to_pylist() if table.num_rows else [])
            if args.resources or r["resource_id"] is None]
    print(json.dumps({"rates": rows, "count": len(rows)}, sort_keys=True, default=str, indent=1))
    return 0 if rows else 1
