"""The job's view of its input Parquet: which files exist, which changed, and their rows in DuckDB.

Stream files are rewritten in place (same name, a superset of rows) while their offset chunk
fills, so a file is identified by (path, size, mtime_ns), not by name. A changed file's rows are
replaced wholesale in the in-memory tables, which keeps the loaded state equal to "read every
file now": the incremental runner and a one-shot batch run see the same rows.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from contracts.scan_schema import SCAN_SCHEMA
from contracts.schema import FINDING_SCHEMA

_TENANT = re.compile(r"(?:^|/)tenant_id=([^/]+)/")


@dataclass(frozen=True, slots=True, order=True)
class InputFile:
    """One Parquet file and the stat that tells a rewrite apart."""

    rel: str  # path relative to the dataset root (stable across machines)
    path: str
    size: int
    mtime_ns: int

    @property
    def tenant(self) -> str:
        match = _TENANT.search(self.rel)
        return match.group(1) if match else ""


def list_files(root: Path) -> dict[str, InputFile]:
    """Every complete `*.parquet` under root (temp files of in-flight writes are skipped)."""
    out: dict[str, InputFile] = {}
    if not root.is_dir():
        return out
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            if not name.endswith(".parquet") or name.startswith("."):
                continue
            full = os.path.join(dirpath, name)
            try:
                st = os.stat(full)
            except FileNotFoundError:
                continue  # renamed away between listing and stat
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            out[rel] = InputFile(rel, full, st.st_size, st.st_mtime_ns)
    return out


@dataclass
class LoadedTable:
    """A DuckDB table holding the rows of a set of files, with `_file` naming each row's file."""

    name: str
    schema: pa.Schema
    root: Path
    files: dict[str, InputFile]
    last_changed: int = 0  # files loaded or dropped by the last refresh

    def create(self, con: duckdb.DuckDBPyConnection) -> None:
        empty = self.schema.empty_table().append_column("_file", pa.array([], pa.string()))
        con.register("_empty_input", empty)
        con.execute(f"CREATE OR REPLACE TABLE {self.name} AS SELECT * FROM _empty_input")
        con.unregister("_empty_input")
        # What each loaded file holds per tenant and partition, kept apart from the rows so the
        # watermark and version stay the same when old rows are pruned from memory.
        con.execute(
            f"CREATE OR REPLACE TABLE {self.stats} (_file VARCHAR, tenant_id VARCHAR,"
            " source_topic VARCHAR, source_partition INTEGER, max_offset BIGINT, n BIGINT)"
        )

    @property
    def stats(self) -> str:
        return f"{self.name}_files"

    def refresh(self, con: duckdb.DuckDBPyConnection) -> set[str]:
        """Load new and rewritten files, drop vanished ones; returns the tenants touched.

        One transaction: the rows of every previously loaded changed/vanished file are deleted
        and all changed files are read in one `read_parquet` call. If a file cannot be read
        (mid-rename, vanished), the transaction rolls back and `self.files` stays as it was,
        so the next window retries the same set and the table stays consistent."""
        now = list_files(self.root)
        changed = [f for rel, f in sorted(now.items()) if self.files.get(rel) != f]
        gone = [f for rel, f in sorted(self.files.items()) if rel not in now]
        self.last_changed = 0
        if not changed and not gone:
            return set()
        # Tenants come from the rows (before and after), not only from the path.
        tenants = {f.tenant for f in changed} | {f.tenant for f in gone}
        reloaded = [f.rel for f in gone + changed if f.rel in self.files]
        cols = ", ".join(f'r."{f.name}"' for f in self.schema)
        con.register("_refresh_old", pa.table({"rel": pa.array(reloaded, pa.string())}))
        con.register("_refresh_new", pa.table({
            "path": pa.array([f.path for f in changed], pa.string()),
            "rel": pa.array([f.rel for f in changed], pa.string()),
        }))
        con.execute("BEGIN TRANSACTION")
        try:
            if reloaded:
                tenants |= self._tenants_of(con, "_refresh_old")
                con.execute(f"DELETE FROM {self.name} WHERE _file IN (SELECT rel FROM _refresh_old)")
                con.execute(f"DELETE FROM {self.stats} WHERE _file IN (SELECT rel FROM _refresh_old)")
            if changed:
                paths = ", ".join("'" + f.path.replace("'", "''") + "'" for f in changed)
                con.execute(
                    f"INSERT INTO {self.name} SELECT {cols}, m.rel AS _file"
                    f" FROM read_parquet([{paths}], hive_partitioning=false, filename=true) r"
                    f" JOIN _refresh_new m ON m.path = r.filename"
                )
                tenants |= self._tenants_of(con, "_refresh_new")
                con.execute(
                    f"INSERT INTO {self.stats} SELECT _file, tenant_id, source_topic,"
                    f" source_partition, max(source_offset), count(*) FROM {self.name}"
                    f" WHERE _file IN (SELECT rel FROM _refresh_new) GROUP BY ALL"
                )
            con.execute("COMMIT")
        except duckdb.Error as exc:
            con.execute("ROLLBACK")
            raise InputError(f"loading {len(changed)} file(s) under {self.root}: {exc}") from exc
        finally:
            con.unregister("_refresh_old")
            con.unregister("_refresh_new")
        self.files = now
        self.last_changed = len(changed) + len(gone)
        return tenants - {""}

    def _tenants_of(self, con: duckdb.DuckDBPyConnection, files_view: str) -> set[str]:
        rows = con.execute(
            f"SELECT DISTINCT tenant_id FROM {self.name}"
            f" WHERE _file IN (SELECT rel FROM {files_view})"
        ).fetchall()
        return {r[0] for r in rows}


class InputError(RuntimeError):
    """An input file could not be read this window (it is retried in the next one)."""


def findings_table(root: Path) -> LoadedTable:
    return LoadedTable("findings", FINDING_SCHEMA, root, {})


def scans_table(root: Path) -> LoadedTable:
    return LoadedTable("scans", SCAN_SCHEMA, root, {})
