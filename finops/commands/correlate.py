"""`finops correlate`: run the correlation rules once and print the meta-findings.

`--validate` only loads and validates the rules (header, SQL binding, declared check ids) and
lists them, which is what a rule author runs before committing a rule. Otherwise the rules run
over each tenant's active findings (lifecycle and suppressions applied, as in the jobs) and the
meta-findings are written as JSON (stdout or --output) or as FINDING_SCHEMA Parquet
(--output x.parquet), so they can be fed anywhere a finding goes.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from common.settings import DATA_DIR


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("correlate", help="run correlation rules once; print meta-findings")
    p.add_argument("--findings-dir", type=Path, default=DATA_DIR / "findings")
    p.add_argument("--scans-dir", type=Path, default=DATA_DIR / "scans")
    p.add_argument("--suppressions-dir", type=Path, default=DATA_DIR / "suppressions")
    p.add_argument("--rules-dir", type=Path, default=None, help="default: the shipped rules")
    p.add_argument("--tenant", action="append", help="only these tenants (repeatable)")
    p.add_argument("--output", type=Path, default=None, help="file (.json or .parquet)")
    p.add_argument("--validate", action="store_true", help="validate and list the rules only")
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from jobs.correlation.engine import RULES_DIR, RuleError, load_rules

    try:
        rules = load_rules(args.rules_dir or RULES_DIR)
    except RuleError as exc:
        print(f"finops correlate: {exc}", file=sys.stderr)
        return 2
    if args.validate:
        doc: Any = [{"id": r.id, "title": r.title, "severity": r.severity,
                     "reads": list(r.reads) or ["*"], "window_s": int(r.window.total_seconds()),
                     "priority": r.priority, "path": r.path} for r in rules]
        sys.stdout.write(json.dumps(doc, sort_keys=True, indent=2) + "\n")
        return 0
    import pyarrow.parquet as pq

    from jobs.correlation.batch import correlate_tree

    table, extras = correlate_tree(args.findings_dir, args.scans_dir, args.suppressions_dir,
                                   rules, tenants=args.tenant)
    if args.output is not None and args.output.suffix == ".parquet":
        args.output.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, args.output)
        return 0
    rows = []
    for row, extra in zip(table.to_pylist(), extras, strict=True):
        row.update(extra)
        rows.append(row)
    text = json.dumps(rows, sort_keys=True, indent=2, default=str) + "\n"
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
    return 0
