"""Table upkeep for the stream's Iceberg tables: small files rewritten per partition, old snapshots
expired, and the stream's Kafka offsets kept through both.

Why: the stream commits every few seconds, one small file per (tenant, day) it touched, so a busy
partition collects hundreds of files and the table thousands of snapshots. `compact` rewrites one
partition's files into one (an overwrite of exactly that partition, in one atomic commit that
carries the offsets forward); `expire` drops snapshots older than a cut, but never the newest one
holding offsets, so a restarted worker always finds where the table stands.
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from sinks.iceberg_tables import OFFSETS_PREFIX, TableSpec, offsets_properties

if TYPE_CHECKING:
    from pyiceberg.table import Table

log = logging.getLogger(__name__)

EPOCH = date(1970, 1, 1)
MAX_ATTEMPTS = 20


@dataclass(frozen=True)
class CompactResult:
    tenant_id: str
    day: str
    files_before: int
    files_after: int
    rows: int


def partition_files(table: Table) -> Counter[tuple[str, str]]:
    """(tenant_id, YYYY-MM-DD) -> data files in the current snapshot."""
    counts: Counter[tuple[str, str]] = Counter()
    for task in table.scan().plan_files():
        tenant, days = task.file.partition[0], task.file.partition[1]
        counts[(str(tenant), (EPOCH + timedelta(days=int(days))).isoformat())] += 1
    return counts


def _partition_filter(spec: TableSpec, tenant_id: str, day: str) -> str:
    """The row filter selecting exactly one (tenant, day) partition (pyiceberg's filter syntax)."""
    start = datetime.fromisoformat(day).replace(tzinfo=UTC)
    end = start + timedelta(days=1)
    tenant = tenant_id.replace("'", "''")
    t = spec.time_column
    return f"tenant_id = '{tenant}' AND {t} >= '{start.isoformat()}' AND {t} < '{end.isoformat()}'"


def compact_partition(table: Table, spec: TableSpec, tenant_id: str, day: str) -> CompactResult:
    """Rewrite the files of one (tenant, day) partition as one, rows sorted by Kafka position;
    retried from a fresh table on a concurrent commit (the stream keeps appending meanwhile)."""
    from pyiceberg.exceptions import CommitFailedException

    where = _partition_filter(spec, tenant_id, day)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        table.refresh()
        before = partition_files(table).get((tenant_id, day), 0)
        if before <= 1:
            return CompactResult(tenant_id, day, before, before, 0)
        rows = table.scan(row_filter=where).to_arrow().select(spec.schema.names).cast(spec.schema)
        rows = rows.sort_by([("source_topic", "ascending"), ("source_partition", "ascending"),
                             ("source_offset", "ascending")])
        properties = {**offsets_properties(table), "finops.maintenance": "compact"}
        try:
            with table.transaction() as tx:
                tx.overwrite(rows, overwrite_filter=where, snapshot_properties=properties)
        except CommitFailedException as exc:
            log.info("compaction conflict, retrying", extra={"table": table.name(), "attempt": attempt,
                                                              "error": str(exc)[:200]})
            time.sleep(random.uniform(0.05, 0.2) * attempt)
            continue
        table.refresh()
        after = partition_files(table).get((tenant_id, day), 0)
        log.info("partition compacted", extra={"table": table.name(), "tenant_id": tenant_id, "day": day,
                                                "files_before": before, "files_after": after, "rows": rows.num_rows})
        return CompactResult(tenant_id, day, before, after, rows.num_rows)
    raise RuntimeError(f"{table.name()}: compaction of {tenant_id}/{day} lost {MAX_ATTEMPTS} commit races")


def compact(table: Table, spec: TableSpec, *, min_files: int = 2, tenant_id: str | None = None,
            day: str | None = None) -> list[CompactResult]:
    """Compact every partition holding at least `min_files` files (or only the one named)."""
    table.refresh()
    results = []
    for (tenant, d), files in sorted(partition_files(table).items()):
        if (tenant_id is not None and tenant != tenant_id) or (day is not None and d != day):
            continue
        if files >= max(2, min_files):
            results.append(compact_partition(table, spec, tenant, d))
    return results


def expire(table: Table, older_than: datetime) -> int:
    """Expire snapshots older than `older_than`, keeping the current one and the newest one that
    holds the stream's offsets. Returns how many were expired. (Data files only the expired
    snapshots referenced stay on disk: pyiceberg does not delete them.)"""
    from pyiceberg.table.snapshots import ancestors_of

    table.refresh()
    keep = set()
    current = table.current_snapshot()
    if current is not None:
        keep.add(current.snapshot_id)
    for snapshot in ancestors_of(current, table.metadata):
        summary = snapshot.summary
        if summary is not None and any(k.startswith(OFFSETS_PREFIX) for k in summary.additional_properties):
            keep.add(snapshot.snapshot_id)
            break
    cut = older_than.timestamp() * 1000
    doomed = [s.snapshot_id for s in table.snapshots() if s.timestamp_ms < cut and s.snapshot_id not in keep]
    if doomed:
        table.maintenance.expire_snapshots().by_ids(doomed).commit()
    log.info("snapshots expired", extra={"table": table.name(), "expired": len(doomed),
                                          "kept": len(table.snapshots())})
    return len(doomed)


def remove_orphan_files(table: Table, older_than: datetime) -> int:
    """Delete data files under the table's local `data/` folder that no remaining snapshot
    references and that are older than `older_than` (younger ones may belong to a commit in
    flight). Local warehouses only (file:// locations); returns how many were deleted."""
    import os

    table.refresh()
    location = table.location()
    if not location.startswith("file://"):
        log.info("orphan removal skipped: not a local warehouse", extra={"location": location})
        return 0
    referenced = {
        task.file.file_path.removeprefix("file://")
        for snapshot in table.snapshots()
        for task in table.scan(snapshot_id=snapshot.snapshot_id).plan_files()
    }
    data_dir = os.path.join(location.removeprefix("file://"), "data")
    removed = _remove_older(
        (os.path.join(dirpath, name) for dirpath, _, names in os.walk(data_dir)
         for name in names if name.endswith(".parquet")), referenced, older_than)
    log.info("orphan data files removed", extra={"table": table.name(), "removed": removed})
    return removed


def _remove_older(paths: Iterable[str], keep: set[str], older_than: datetime) -> int:
    """Delete each of `paths` not in `keep` and last modified before `older_than` (a file
    younger than that may belong to a commit in flight); returns how many were deleted."""
    import os

    cut = older_than.timestamp()
    removed = 0
    for path in paths:
        if path in keep:
            continue
        try:
            if os.stat(path).st_mtime < cut:
                os.remove(path)
                removed += 1
        except FileNotFoundError:
            continue
    return removed


def referenced_metadata(table: Table) -> set[str]:
    """Paths of every metadata file the table still needs: the current and logged metadata.json
    files, each remaining snapshot's manifest list and manifests, and statistics files."""
    paths = {table.metadata_location}
    paths.update(entry.metadata_file for entry in table.metadata.metadata_log)
    for snapshot in table.snapshots():
        paths.add(snapshot.manifest_list)
        paths.update(m.manifest_path for m in snapshot.manifests(table.io))
    paths.update(s.statistics_path for s in table.metadata.statistics)
    paths.update(s.statistics_path for s in table.metadata.partition_statistics)
    return {p.removeprefix("file://") for p in paths}


def remove_orphan_metadata(table: Table, older_than: datetime) -> int:
    """Delete files under the table's local `metadata/` folder that the table no longer needs
    (`referenced_metadata`): manifests and manifest lists of expired snapshots, and the files of
    commits that lost a race. Only files older than `older_than`: a commit in flight writes its
    manifests before its metadata swap. Local warehouses only; returns how many were deleted."""
    import os

    table.refresh()
    location = table.location()
    if not location.startswith("file://"):
        log.info("orphan metadata removal skipped: not a local warehouse", extra={"location": location})
        return 0
    needed = referenced_metadata(table)
    meta_dir = os.path.join(location.removeprefix("file://"), "metadata")
    names = sorted(os.listdir(meta_dir)) if os.path.isdir(meta_dir) else []
    removed = _remove_older(
        (os.path.join(meta_dir, n) for n in names
         if n.endswith(".avro") or n.endswith(".metadata.json")), needed, older_than)
    log.info("orphan metadata files removed", extra={"table": table.name(), "removed": removed})
    return removed
