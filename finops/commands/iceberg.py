"""`finops iceberg compact|facts`: upkeep of the stream's Iceberg tables (docs/iceberg.md).

Rewrites the small files of each partition (or of one, `--tenant`/`--day`) into one and expires
snapshots older than `--expire-older-than` seconds, keeping the stream's Kafka offsets, then deletes
the data files and the metadata files (manifests, manifest lists, old metadata.json; older than that
too) that no remaining snapshot references. `facts` copies the normalized bill into the catalog
(`finops.cost_facts`), so engines reading the catalog can join findings with cost.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common.settings import DATA_DIR


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("iceberg", help="upkeep of the stream's Iceberg tables (compaction, snapshot expiry)")
    actions = parser.add_subparsers(dest="iceberg_action", metavar="ACTION")
    actions.required = True
    p = actions.add_parser("compact", help="rewrite small files per partition, expire old snapshots, offsets kept")
    p.add_argument("--iceberg-dir", type=Path, default=DATA_DIR / "iceberg")
    p.add_argument("--table", choices=["findings", "scans"], default="findings")
    p.add_argument("--tenant", default=None, help="only this tenant's partitions")
    p.add_argument("--day", default=None, help="only this day (YYYY-MM-DD)")
    p.add_argument("--min-files", type=int, default=2, help="compact partitions with at least this many files")
    p.add_argument("--expire-older-than", type=float, default=3600.0,
                   help="seconds: expire snapshots older than this (default 1 h; negative: none)")
    p.set_defaults(handler=_compact)
    p = actions.add_parser("facts", help="publish the normalized cost facts as the table finops.cost_facts")
    p.add_argument("--iceberg-dir", type=Path, default=DATA_DIR / "iceberg")
    p.add_argument("--facts-dir", type=Path, default=DATA_DIR / "cur_facts",
                   help="output of `finops cur normalize` (tenant_id=/billing_month= folders)")
    p.set_defaults(handler=_facts)


def _compact(args: argparse.Namespace) -> int:
    from sinks.iceberg_maintenance import (
        compact,
        expire,
        remove_orphan_files,
        remove_orphan_metadata,
    )
    from sinks.iceberg_tables import TABLES, ensure_table, open_catalog

    spec = TABLES[args.table]
    table = ensure_table(open_catalog(args.iceberg_dir), spec)
    for r in compact(table, spec, min_files=args.min_files, tenant_id=args.tenant, day=args.day):
        print(f"{r.tenant_id} {r.day}: {r.files_before} -> {r.files_after} files, {r.rows} rows")
    if args.expire_older_than >= 0:
        cut = datetime.now(UTC) - timedelta(seconds=args.expire_older_than)
        print(f"expired {expire(table, cut)} snapshots; {len(table.snapshots())} kept")
        print(f"removed {remove_orphan_files(table, cut)} data files no snapshot references")
        print(f"removed {remove_orphan_metadata(table, cut)} metadata files the table no longer needs")
    return 0


def _facts(args: argparse.Namespace) -> int:
    from jobs.cur.iceberg_facts import publish_facts
    from sinks.iceberg_tables import open_catalog

    if not args.facts_dir.is_dir():
        print(f"no cost facts at {args.facts_dir} (run `finops cur normalize` first)")
        return 2
    months = publish_facts(open_catalog(args.iceberg_dir), args.facts_dir)
    for m in months:
        print(f"{m.tenant_id} {m.billing_month}: {m.rows} rows from {m.files} files")
    print(f"published {len(months)} (tenant, month) partitions to finops.cost_facts")
    return 0
