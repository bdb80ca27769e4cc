"""The jobs' input read from the stream's Iceberg table instead of Parquet files, incrementally by
snapshot, giving the very same loaded state (and so byte-identical snapshot sets).

Per window: if the table's current snapshot is the one loaded, nothing happens; otherwise the data
files of the new snapshot are diffed against the loaded ones and only the added files are read.
A compaction snapshot (`finops.maintenance=compact`) rewrites rows without changing them: only the
file list moves. Any other removal (a delete by someone else) reloads the table wholesale.

Each row's `_file` is the Parquet file the Parquet sink would have put it in: the stream's grid
(`finops.chunk-records`, recorded in the snapshot summaries by the Iceberg sink) cut by (tenant,
day), named by the first offset of its group. So the watermark (files and offsets) and the version
are the same whichever sink stored the findings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from jobs.inputs import InputError, LoadedTable
from sinks.chunk_sink import DEFAULT_CHUNK_RECORDS
from sinks.iceberg_tables import (
    CHUNK_RECORDS_KEY,
    FINDINGS,
    SCANS,
    TableSpec,
    ensure_table,
    open_catalog,
)

if TYPE_CHECKING:
    from pyiceberg.table import Table


@dataclass
class IcebergLoadedTable(LoadedTable):
    spec: TableSpec = FINDINGS
    iceberg_root: Path = Path()
    snapshot_id: int | None = None
    data_files: set[str] = field(default_factory=set)
    _table: Table | None = None

    def create(self, con: duckdb.DuckDBPyConnection) -> None:
        super().create(con)
        con.execute(
            f"CREATE OR REPLACE TABLE {self.groups} (tenant_id VARCHAR, dt VARCHAR, source_topic VARCHAR,"
            " source_partition INTEGER, chunk BIGINT, first_offset BIGINT)"
        )

    @property
    def groups(self) -> str:
        return f"{self.name}_groups"

    def table(self) -> Table:
        if self._table is None:
            self._table = ensure_table(open_catalog(self.iceberg_root), self.spec)
        self._table.refresh()
        return self._table

    def refresh(self, con: duckdb.DuckDBPyConnection) -> set[str]:
        self.last_changed = 0
        try:
            table = self.table()
        except Exception as exc:  # noqa: BLE001 - a catalog hiccup is retried next window
            raise InputError(f"opening {self.spec.identifier} under {self.iceberg_root}: {exc}") from exc
        snapshot = table.current_snapshot()
        if snapshot is None or snapshot.snapshot_id == self.snapshot_id:
            return set()
        files = {t.file.file_path: t.file for t in table.scan(snapshot_id=snapshot.snapshot_id).plan_files()}
        added = sorted(set(files) - self.data_files)
        removed = self.data_files - set(files)
        summary = snapshot.summary.additional_properties if snapshot.summary is not None else {}
        if removed and summary.get("finops.maintenance") != "compact":
            self._clear(con)
            added = sorted(files)
        elif removed:  # a compaction: same rows, other files
            added = []
        tenants = self._load(con, [_local(p) for p in added], _chunk_records(table)) if added else set()
        self.snapshot_id = snapshot.snapshot_id
        self.data_files = set(files)
        self.last_changed = len(added) + len(removed)
        return tenants

    def _clear(self, con: duckdb.DuckDBPyConnection) -> None:
        for name in (self.name, self.stats, self.groups):
            con.execute(f"DELETE FROM {name}")

    def _load(self, con: duckdb.DuckDBPyConnection, paths: list[str], chunk: int) -> set[str]:
        """Insert the rows of `paths`, each with the logical Parquet file it belongs to."""
        cols = ", ".join(f'"{f.name}"' for f in self.schema)
        time_col = self.spec.time_column
        quoted = ", ".join("'" + p.replace("'", "''") + "'" for p in paths)
        key = "tenant_id, dt, source_topic, source_partition, chunk"
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE _ice_new AS SELECT {cols},"
                f" strftime({time_col} AT TIME ZONE 'UTC', '%Y-%m-%d') AS dt, source_offset // {chunk} AS chunk"
                f" FROM read_parquet([{quoted}])"
            )
            con.execute(
                f"INSERT INTO {self.groups} SELECT {key}, min(source_offset) FROM _ice_new n"
                f" WHERE NOT EXISTS (SELECT 1 FROM {self.groups} g WHERE (g.tenant_id, g.dt, g.source_topic,"
                " g.source_partition, g.chunk) = (n.tenant_id, n.dt, n.source_topic, n.source_partition, n.chunk))"
                f" GROUP BY ALL"
            )
            file_expr = ("'tenant_id=' || n.tenant_id || '/dt=' || n.dt || '/' || n.source_topic || '+'"
                         " || n.source_partition || '+' || lpad(g.first_offset::VARCHAR, 19, '0') || '.parquet'")
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE _ice_rows AS SELECT n.*, {file_expr} AS _file FROM _ice_new n"
                f" JOIN {self.groups} g USING ({key})"
            )
            con.execute(f"INSERT INTO {self.name} SELECT {cols}, _file FROM _ice_rows")
            # per-file statistics, merged: rows only ever join a logical file
            con.execute(
                "CREATE OR REPLACE TEMP TABLE _ice_stats AS SELECT _file, tenant_id, source_topic,"
                " source_partition, max(source_offset) AS max_offset, count(*) AS n FROM _ice_rows GROUP BY ALL"
            )
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE _ice_merged AS SELECT _file, tenant_id, source_topic, source_partition,"
                f" max(max_offset) AS max_offset, sum(n)::BIGINT AS n FROM (SELECT * FROM {self.stats}"
                f" WHERE _file IN (SELECT _file FROM _ice_stats) UNION ALL SELECT * FROM _ice_stats) GROUP BY ALL"
            )
            con.execute(f"DELETE FROM {self.stats} WHERE _file IN (SELECT _file FROM _ice_stats)")
            con.execute(f"INSERT INTO {self.stats} SELECT * FROM _ice_merged")
            tenants = {r[0] for r in con.execute("SELECT DISTINCT tenant_id FROM _ice_stats").fetchall()}
            for tmp in ("_ice_new", "_ice_rows", "_ice_stats", "_ice_merged"):
                con.execute(f"DROP TABLE {tmp}")
            con.execute("COMMIT")
        except duckdb.Error as exc:
            con.execute("ROLLBACK")
            raise InputError(f"loading {len(paths)} data file(s) of {self.spec.identifier}: {exc}") from exc
        return tenants


def _local(path: str) -> str:
    return path.removeprefix("file://")


def _chunk_records(table: Table) -> int:
    """The stream's offset grid, as its commits recorded it (newest first)."""
    from pyiceberg.table.snapshots import ancestors_of

    for snapshot in ancestors_of(table.current_snapshot(), table.metadata):
        value = snapshot.summary.additional_properties.get(CHUNK_RECORDS_KEY) if snapshot.summary else None
        if value:
            return int(value)
    return DEFAULT_CHUNK_RECORDS


def iceberg_findings_table(iceberg_root: Path) -> IcebergLoadedTable:
    return IcebergLoadedTable("findings", FINDINGS.schema, iceberg_root, {}, spec=FINDINGS, iceberg_root=iceberg_root)


def iceberg_scans_table(iceberg_root: Path) -> IcebergLoadedTable:
    return IcebergLoadedTable("scans", SCANS.schema, iceberg_root, {}, spec=SCANS, iceberg_root=iceberg_root)

