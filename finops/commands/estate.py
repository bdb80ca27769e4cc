"""`finops estate up`: a simulated AWS estate (moto) to scan, with a ground-truth manifest.

Exit codes: 0 stopped by Ctrl-C/SIGTERM after serving, 1 the estate could not be started.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from pathlib import Path

from common.settings import DATA_DIR
from estate.plan import DEFAULT_ACCOUNTS, DEFAULT_REGIONS, DEFAULT_RESOURCES

DEFAULT_MANIFEST = DATA_DIR / "estate" / "manifest.json"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "estate", help="run a simulated AWS estate (moto) to scan",
        description="Start a local moto server and seed a deterministic multi-account, "
        "multi-region estate with known waste; the manifest lists the injected waste.")
    actions = parser.add_subparsers(dest="estate_action", metavar="ACTION")
    actions.required = True
    up = actions.add_parser("up", help="start, seed, print a summary, serve until Ctrl-C")
    up.add_argument("--port", type=int, default=5000, help="listen port (default 5000)")
    up.add_argument("--host", default="127.0.0.1", help="listen address (default 127.0.0.1)")
    up.add_argument("--seed", type=int, default=42, help="same seed, same estate (default 42)")
    up.add_argument("--resources", type=int, default=DEFAULT_RESOURCES,
                    help=f"approximate resource count (default {DEFAULT_RESOURCES})")
    up.add_argument("--regions", default=",".join(DEFAULT_REGIONS),
                    help="comma-separated regions (default %(default)s)")
    up.add_argument("--accounts", type=int, default=DEFAULT_ACCOUNTS,
                    help=f"accounts incl. the management account (default {DEFAULT_ACCOUNTS})")
    up.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST,
                    help="where to write the manifest JSON (default %(default)s)")
    up.set_defaults(handler=_up)
    fix = actions.add_parser("remediate", help="fix a share of the injected waste (demo)")
    fix.add_argument("--share", type=float, default=0.3,
                     help="share of each waste kind to fix, 0..1 (default 0.3)")
    fix.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST)
    fix.add_argument("--endpoint-url", default=None,
                     help="the estate (default: the manifest's endpoint)")
    fix.add_argument("--no-record", action="store_true",
                     help="do not record the run in remediations.json beside the manifest "
                     "(the generated bill reads it to stop billing fixed resources)")
    fix.set_defaults(handler=_remediate)
    bill = actions.add_parser(
        "bill", help="write the estate's own hourly CUR 2.0 bill (generated for the demo)",
        description="Inventory the estate, fold it into data/estate/bill-ledger.json (beside "
        "the manifest) and write hourly CUR 2.0 Parquet from it. Generated for the demo, and "
        "labelled so in every line; real bills stay the test data for correctness.")
    bill.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST)
    bill.add_argument("--endpoint-url", default=None,
                      help="the estate (default: the manifest's endpoint)")
    bill.add_argument("--out", type=Path, default=DATA_DIR / "raw_cur" / "tenant_id=acme"
                      / "estate-bill", help="output folder (default %(default)s)")
    bill.add_argument("--days-before", type=int, default=16,
                      help="history before the first inventory, in days (default 16)")
    bill.add_argument("--project-days", type=int, default=0,
                      help="run the bill N days ahead of the clock, the estate held as it "
                      "stands (so a demo has days after a fix; default 0: up to this hour)")
    bill.set_defaults(handler=_bill)


def _bill(args: argparse.Namespace) -> int:
    import json
    from dataclasses import asdict

    from botocore.exceptions import BotoCoreError, ClientError

    from estate.billing import BillPaths, generate_bill

    try:
        summary = generate_bill(BillPaths(args.manifest, args.out), args.endpoint_url,
                                days_before=args.days_before, project_days=args.project_days)
    except (OSError, ValueError, ClientError, BotoCoreError) as exc:
        print(f"finops estate bill: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(asdict(summary), sort_keys=True, indent=1))
    return 0


def _remediate(args: argparse.Namespace) -> int:
    import json

    from estate.manifest import Manifest
    from estate.remediate import remediate

    manifest = Manifest.read(args.manifest)
    endpoint = args.endpoint_url or manifest.endpoint
    if not endpoint:
        print("finops estate remediate: no endpoint (none in the manifest)", file=sys.stderr)
        return 1
    try:
        result = remediate(endpoint, manifest.waste, args.share)
    except ValueError as exc:
        print(f"finops estate remediate: {exc}", file=sys.stderr)
        return 1
    if not args.no_record:
        from estate.ledger import append_remediation
        from estate.remediate import ledger_run

        append_remediation(args.manifest.with_name("remediations.json"), ledger_run(result))
    print(json.dumps(result.to_dict(), sort_keys=True, indent=1))
    return 1 if result.failed else 0


def _up(args: argparse.Namespace) -> int:
    from estate import start_estate
    from estate.summary import format_summary

    regions = tuple(r.strip() for r in args.regions.split(",") if r.strip())
    t0 = time.perf_counter()
    try:
        estate = start_estate(
            seed=args.seed, resources=args.resources, regions=regions, accounts=args.accounts,
            port=args.port, host=args.host, manifest_path=args.manifest,
            progress=lambda a, r, s: print(f"seeded {a} {r} in {s:.1f}s", file=sys.stderr),
        )
    except (OSError, ValueError, RuntimeError) as exc:
        print(f"finops estate up: {exc}", file=sys.stderr)
        return 1
    print(format_summary(estate.manifest))
    print(f"  seeded in {time.perf_counter() - t0:.1f}s; manifest: {args.manifest}")
    print(f"\nscan it:  AWS_ENDPOINT_URL={estate.endpoint} finops scan --tenant acme "
          f"--workspace prod --regions {','.join(regions)} --org --stdout")
    print("serving until Ctrl-C", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass
    estate.stop()
    return 0
