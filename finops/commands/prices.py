"""`finops prices`: inspect the shipped price catalog, or rebuild it from the AWS Price List.

`finops prices refresh` calls pricing:GetProducts (the Price List query API lives in us-east-1)
for the EC2 and RDS SKUs of the regions in the catalog, or parses offer files given with
`--offer-file` (no credentials needed), and writes the merged catalog.
"""

from __future__ import annotations

import argparse
import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from checks.prices.builder import build, catalog_document, dumps
from checks.prices.catalog import BUILT_PATH, DEFAULT_PATH, CatalogError, PriceCatalog
from checks.prices.pricelist import PriceEntry, merge, parse_get_products, parse_offer_file

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data"
EC2_FILTERS = {"tenancy": "Shared", "preInstalledSw": "NA", "capacitystatus": "Used"}


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("prices", help="show or refresh the price catalog")
    sub = parser.add_subparsers(dest="prices_command", metavar="ACTION")
    sub.required = True
    show = sub.add_parser("show", help="print catalog prices matching a key fragment")
    show.add_argument("fragment", help="substring of the key, e.g. 'ec2:m5.' or 'gp3'")
    show.add_argument("--region", default="us-east-1")
    show.add_argument("--catalog", type=Path, default=None,
                      help="a catalog file (default: the built catalog over the transcribed one)")
    show.set_defaults(handler=cmd_show)
    build_p = sub.add_parser("build", help="build the catalog from the shared price snapshots")
    build_p.add_argument("--data-dir", type=Path, default=DATA_DIR,
                         help="folder holding aws-price-watcher/ and ec2-shop/")
    build_p.add_argument("--out", type=Path, default=BUILT_PATH)
    build_p.set_defaults(handler=cmd_build)
    refresh = sub.add_parser("refresh", help="rebuild EC2/RDS/EBS prices from the Price List")
    refresh.add_argument("--catalog", type=Path, default=DEFAULT_PATH, help="catalog to update")
    refresh.add_argument("--out", type=Path, help="where to write (default: --catalog)")
    refresh.add_argument("--regions", help="comma-separated (default: the catalog's regions)")
    refresh.add_argument("--offer-file", type=Path, action="append", default=[],
                         help="parse a Price List offer file instead of calling the API")
    refresh.add_argument("--all-types", action="store_true",
                         help="keep every instance type (default: only types in catalog specs)")
    refresh.set_defaults(handler=cmd_refresh)


def cmd_show(args: argparse.Namespace) -> int:
    catalog = PriceCatalog.load(args.catalog)
    rows = sorted(k for k in catalog.regions.get(args.region, {}) if args.fragment in k)
    for key in rows:
        price = catalog.get(args.region, key)
        assert price is not None
        print(f"{key}\t{price.amount}\t{price.source}")
    print(f"# {len(rows)} prices in {args.region}")
    return 0 if rows else 1


def cmd_build(args: argparse.Namespace) -> int:
    try:
        prices = build(args.data_dir)
    except CatalogError as exc:
        log.error("price snapshots unreadable; the catalog is unchanged",
                  extra={"error": str(exc), "data_dir": str(args.data_dir)})
        return 1
    doc, kept = catalog_document(prices, json.loads(DEFAULT_PATH.read_text()))
    args.out.write_text(dumps(doc))
    PriceCatalog.load(args.out)  # refuse to leave behind a catalog the checks cannot read
    regions = len(doc["regions"])
    print(f"{len(prices)} prices for {regions} regions from {len(doc['sources'])} files written "
          f"to {args.out}; {kept} transcribed prices kept for keys the "
          f"snapshots lack")
    return 0


def cmd_refresh(args: argparse.Namespace) -> int:
    raw: dict[str, Any] = json.loads(args.catalog.read_text())
    regions = args.regions.split(",") if args.regions else sorted(raw.get("regions", {}))
    if args.offer_file:
        entries = [e for path in args.offer_file
                   for e in parse_offer_file(json.loads(path.read_text()))]
        source = "AWS Price List offer files: " + ", ".join(p.name for p in args.offer_file)
    else:
        try:
            entries = fetch_from_api(regions)
        except (BotoCoreError, ClientError) as exc:
            log.error("price list unavailable; the catalog is unchanged",
                      extra={"error": f"{type(exc).__name__}: {exc}",
                             "needs": "AWS credentials allowing pricing:GetProducts"})
            return 1
        source = "AWS Price List API (pricing:GetProducts, us-east-1)"
    known = set((raw.get("specs") or {}).get("ec2", {})) | {
        f"db.{t}" for t in (raw.get("specs") or {}).get("ec2", {})}
    entries = [e for e in entries if e.region in regions and
               (args.all_types or not e.key.startswith(("ec2:", "rds:")) or
                e.key.split(":")[1] in known)]
    as_of = datetime.now(UTC).date().isoformat()
    merged, conflicts = merge(raw, entries, as_of, source)
    for c in conflicts:
        log.warning("price conflict (kept the lower)", extra={"conflict": c})
    out = args.out or args.catalog
    out.write_text(json.dumps(merged, indent=1) + "\n")
    PriceCatalog.load(out)  # refuse to leave behind a catalog the checks cannot read
    log.info("price catalog written", extra={"path": str(out), "prices": len(entries),
                                             "conflicts": len(conflicts)})
    print(f"{len(entries)} prices merged into {out}")
    return 0


def fetch_from_api(regions: list[str], session: Any = None) -> list[PriceEntry]:
    """EC2 (Linux, Windows), RDS and EBS storage prices via pricing:GetProducts."""
    import boto3

    client = (session or boto3.Session()).client("pricing", region_name="us-east-1")
    paginator = client.get_paginator("get_products")
    entries: list[PriceEntry] = []
    for region in regions:
        queries = [
            ("AmazonEC2", {**EC2_FILTERS, "regionCode": region, "operatingSystem": os_name})
            for os_name in ("Linux", "Windows")
        ] + [
            ("AmazonRDS", {"regionCode": region, "productFamily": "Database Instance"}),
            ("AmazonEC2", {"regionCode": region, "productFamily": "Storage"}),
        ]
        for service, filters in queries:
            flt = [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in filters.items()]
            for page in paginator.paginate(ServiceCode=service, Filters=flt,
                                           FormatVersion="aws_v1"):
                entries.extend(parse_get_products(page.get("PriceList") or []))
    return entries
