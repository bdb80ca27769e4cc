"""`finops demo`: the main job, the whole system on this machine."""

from __future__ import annotations

import argparse
from pathlib import Path

from common.settings import DATA_DIR


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="run everything locally: broker, simulated estate, scanners, stream, jobs, dashboard",
        description="Start the whole pipeline on a simulated AWS estate and serve the live dashboard. "
        "Ctrl-C stops everything cleanly.",
    )
    p.add_argument("--data-dir", type=Path, default=DATA_DIR)
    p.add_argument("--tenant", default="acme")
    p.add_argument("--port", type=int, default=8080, help="dashboard port")
    p.add_argument("--estate-port", type=int, default=5000)
    p.add_argument("--resources", type=int, default=2000, help="size of the simulated estate")
    p.add_argument("--regions", default="us-east-1,eu-west-1")
    p.add_argument("--accounts", type=int, default=3)
    p.add_argument("--interval", default="2m", help="scan interval")
    p.add_argument("--window", default="10s", help="jobs window")
    p.add_argument("--fresh", action="store_true", help="wipe the data directory first")
    p.add_argument("--smoke", action="store_true", help="exit once the dashboard serves the first snapshot")
    p.add_argument("--bootstrap", default=None, help="use this broker instead of starting the local one")
    p.add_argument("--remediate-after", type=int, default=2,
                   help="scan rounds before fixing a share of the waste (0: never; default 2)")
    p.add_argument("--remediate-share", type=float, default=0.3,
                   help="share of each waste kind `finops estate remediate` fixes (default 0.3)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from finops.demo.processes import StartError
    from finops.demo.run import DemoOptions, run_demo

    opts = DemoOptions(
        data_dir=args.data_dir, tenant=args.tenant, web_port=args.port, estate_port=args.estate_port,
        resources=args.resources, regions=args.regions, accounts=args.accounts, interval=args.interval,
        window=args.window, fresh=args.fresh, smoke=args.smoke, bootstrap=args.bootstrap,
        remediate_after=args.remediate_after, remediate_share=args.remediate_share,
    )
    try:
        return run_demo(opts)
    except StartError as exc:
        print(f"demo failed: {exc}")
        return 1
