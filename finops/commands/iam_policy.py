"""`finops iam-policy`: the least-privilege read-only policy the scanner needs, generated from
the checks' metadata so it can never drift from what the checks call."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from typing import Any

from checks.registry import load_checks


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("iam-policy", help="print the scanner's read-only IAM policy")
    parser.add_argument("--checks", help="comma-separated check ids (default: all)")
    parser.set_defaults(handler=cmd_iam_policy)


def policy_for(check_ids: Iterable[str] | None = None) -> dict[str, Any]:
    checks = load_checks()
    wanted = list(checks) if check_ids is None else list(check_ids)
    unknown = [c for c in wanted if c not in checks]
    if unknown:
        raise SystemExit(f"unknown check ids: {unknown}")
    actions = sorted({p for c in wanted for p in checks[c].meta.permissions})
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "FinopsStreamReadOnly", "Effect": "Allow", "Action": actions, "Resource": "*"}
        ],
    }


def cmd_iam_policy(args: argparse.Namespace) -> int:
    ids = args.checks.split(",") if args.checks else None
    print(json.dumps(policy_for(ids), indent=2))
    return 0
