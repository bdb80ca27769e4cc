"""`finops savings rates|report`: the customer's effective unit rates derived from the cost facts
(with provenance), and estimated vs realized savings per tenant and finding (JSON on stdout,
sorted keys; logs on stderr)."""

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
    p = sub.add_parser("report", help="estimated (open) vs realized (resolved) savings, as JSON")
    p.add_argument("--tenant", required=True)
    p.add_argument("--as-of", type=_timestamp, default=None,
                   help="ISO time: data up to it; the after-window ends there "
                        "(default: the end of the last billed hour)")
    p.add_argument("--data-dir", type=Path, default=DATA_DIR,
                   help="holds findings/, scans/ and cur_facts/")
    p.add_argument("--facts", type=Path, default=None, help="default <data-dir>/cur_facts")
    p.add_argument("--suppressions-dir", type=Path, default=None,
                   help="<tenant>.json suppression files, default <data-dir>/suppressions")
    p.add_argument("--rules-dir", type=Path, default=None,
                   help="correlation rules (default: the shipped ones)")
    p.set_defaults(handler=_report)


def _timestamp(text: str) -> datetime:
    ts = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


def _report(args: argparse.Namespace) -> int:
    """The estimate open counts what the dashboard's headline counts (jobs/counting.py, after
    suppressions and the correlation rules: an exclusive alternative is never summed with the
    one that supersedes it); counted findings without an estimate are listed as unknown
    (`unpriced_findings`), never added as $0."""
    from jobs.correlation.engine import RULES_DIR, load_rules
    from jobs.db import connect
    from jobs.inputs import findings_table, scans_table
    from jobs.realized_json import realized_document
    from jobs.tenant import TenantConfig, counted_findings

    con = connect(threads=1)
    for table in (findings_table(args.data_dir / "findings"), scans_table(args.data_dir / "scans")):
        table.create(con)
        table.refresh(con)
    findings, scans = "findings", "scans"
    if args.as_of is not None:  # the lifecycle as it was at --as-of
        at = args.as_of.isoformat()
        con.execute(f"CREATE TEMP VIEW findings_at AS SELECT * FROM findings "
                    f"WHERE observed_at <= TIMESTAMPTZ '{at}'")
        con.execute(f"CREATE TEMP VIEW scans_at AS SELECT * FROM scans "
                    f"WHERE finished_at <= TIMESTAMPTZ '{at}'")
        findings, scans = "findings_at", "scans_at"
    facts = args.facts or args.data_dir / "cur_facts"
    cfg = TenantConfig(load_rules(args.rules_dir or RULES_DIR), facts,
                       args.suppressions_dir or args.data_dir / "suppressions")
    counted_findings(con, args.tenant, cfg, {}, findings=findings, scans=scans)
    doc = realized_document(con, "fdoc", facts, args.tenant, args.as_of)
    print(json.dumps(doc, sort_keys=True, indent=1, default=str))
    return 0


def _rates(args: argparse.Namespace) -> int:
    table = derive_rates(args.facts, end=args.end, days=args.days, start=args.start,
                         tenant=args.tenant)
    rows = [r for r in (table.to_pylist() if table.num_rows else [])
            if args.resources or r["resource_id"] is None]
    print(json.dumps({"rates": rows, "count": len(rows)}, sort_keys=True, default=str, indent=1))
    return 0 if rows else 1
