"""`finops cur normalize|enrich|coverage|map-sample`: billing exports as cost facts, findings with
actual cost. Output is one JSON document on stdout (sorted keys) for scripts; logs go to stderr."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from common.settings import DATA_DIR


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "cur", help="CUR / FOCUS: normalize billing data, enrich findings"
    )
    sub = parser.add_subparsers(dest="cur_command", metavar="ACTION")
    sub.required = True

    p = sub.add_parser("normalize", help="billing exports -> data/cur_facts/ (one schema)")
    p.add_argument("--input", type=Path, default=DATA_DIR / "raw_cur")
    p.add_argument("--output", type=Path, default=DATA_DIR / "cur_facts")
    p.add_argument("--tenant", default=None, help="tenant of files not under a tenant_id= folder")
    p.add_argument("--strict", action="store_true", help="exit 1 when any file was skipped")
    p.set_defaults(handler=_normalize)

    p = sub.add_parser("enrich", help="findings + cost facts -> data/finops_findings_enriched/")
    p.add_argument("--findings", type=Path, default=DATA_DIR / "findings")
    p.add_argument("--facts", type=Path, default=DATA_DIR / "cur_facts")
    p.add_argument("--output", type=Path, default=DATA_DIR / "finops_findings_enriched")
    p.add_argument(
        "--as-of", type=_timestamp, default=None, help="ISO time (default: latest usage)"
    )
    p.set_defaults(handler=_enrich)

    p = sub.add_parser("coverage", help="share of findings / savings with exact, roll-up, no cost")
    p.add_argument("--enriched", type=Path, default=DATA_DIR / "finops_findings_enriched")
    p.set_defaults(handler=_coverage)

    p = sub.add_parser("map-sample", help="demo: re-point a Workshop CUR at given accounts")
    p.add_argument("--input", type=Path, required=True, help="legacy CUR Parquet file")
    p.add_argument("--accounts", required=True, help="comma-separated 12-digit account ids")
    p.add_argument("--output", type=Path, default=DATA_DIR / "raw_cur")
    p.add_argument(
        "--manifest",
        type=Path,
        default=None,
        help="estate manifest: also re-point EC2/EBS resource ids at the estate's waste resources",
    )
    p.set_defaults(handler=_map_sample)


def _timestamp(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _emit(doc: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(doc, sort_keys=True, indent=2, default=str) + "\n")


def _normalize(args: argparse.Namespace) -> int:
    from jobs.cur.normalize import normalize

    report = normalize(args.input, args.output, args.tenant)
    _emit(asdict(report))
    return 1 if args.strict and report.problems else 0


def _enrich(args: argparse.Namespace) -> int:
    from jobs.cur.enrich_job import enrich_tree

    _emit(asdict(enrich_tree(args.findings, args.facts, args.output, args.as_of)))
    return 0


def _coverage(args: argparse.Namespace) -> int:
    from jobs.cur.enrich import coverage

    _emit(coverage(args.enriched).to_dict())
    return 0


def _map_sample(args: argparse.Namespace) -> int:
    from jobs.cur.sample import map_sample_to_accounts

    accounts = [a.strip() for a in args.accounts.split(",") if a.strip()]
    target = map_sample_to_accounts(args.input, accounts, args.output, manifest=args.manifest)
    _emit({"written": str(target), "accounts": accounts})
    return 0
