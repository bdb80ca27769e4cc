"""`finops checks list|docs|validate-config`: what the scanner can find, and a tenant-config check."""

from __future__ import annotations

import argparse
import json

from checks.config import ConfigError, TenantConfig
from checks.docs import remediation_catalog, render
from checks.registry import load_checks


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("checks", help="list checks or validate a tenant config")
    sub = parser.add_subparsers(dest="checks_command", metavar="ACTION")
    sub.required = True
    lst = sub.add_parser("list", help="list registered checks")
    lst.add_argument("--json", action="store_true", help="one JSON object per check")
    lst.set_defaults(handler=cmd_list)
    docs = sub.add_parser("docs", help="print docs/checks.md (generated from metadata)")
    docs.set_defaults(handler=cmd_docs)
    rem = sub.add_parser("remediation", help="print what to do and the CLI per check (from "
                         "metadata; `finops web` hands the same to the dashboard)")
    rem.set_defaults(handler=cmd_remediation)
    val = sub.add_parser("validate-config", help="validate a tenant thresholds file")
    val.add_argument("path")
    val.set_defaults(handler=cmd_validate)


def cmd_list(args: argparse.Namespace) -> int:
    for check_id, check in load_checks().items():
        m = check.meta
        if args.json:
            print(json.dumps({"id": m.id, "service": m.service, "severity": m.severity,
                              "resource_type": m.resource_type, "title": m.title,
                              "thresholds": dict(m.thresholds)}, sort_keys=True))
        else:
            print(f"{check_id:<42} {m.severity:<8} {m.title}")
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    print(render(load_checks()), end="")
    return 0


def cmd_remediation(args: argparse.Namespace) -> int:
    print(json.dumps(remediation_catalog(load_checks()), indent=1, sort_keys=True,
                     ensure_ascii=False))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    try:
        TenantConfig.load(args.path).validate(load_checks())
    except ConfigError as exc:
        print(f"invalid: {exc}")
        return 1
    print("ok")
    return 0
