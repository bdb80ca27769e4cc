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

    def create(self, con: duckdb.DuckDBPyConnection) -> None:
        empty = self.schema.empty_table().append_column("_file", pa.array([], pa.string()))
        con.register("_empty_input", empty)
        con.execute(f"CREATE OR REPLACE TABLE {self.name} AS SELECT * FROM _empty_input")
        con.unregister("_empty_input")

    def refresh(self, con: duckdb.DuckDBPyConnection) -> set[str]:
        """Load new and rewritten files, drop vanished ones; returns the tenants touched."""
        now = list_files(self.root)
        changed = [f for rel, f in sorted(now.items()) if self.files.get(rel) != f]
        gone = [f for rel, f in sorted(self.files.items()) if rel not in now]
        # Tenants come from the rows (before and after), not only from the path.
        tenants = {f.tenant for f in changed} | {f.tenant for f in gone}
        touched = sorted(f.rel for f in gone + changed)
        tenants |= self._tenants_of(con, touched)
        cols = ", ".join(f'"{f.name}"' for f in self.schema)
        for f in gone + changed:
            con.execute(f"DELETE FROM {self.name} WHERE _file = ?", [f.rel])
        for f in changed:
            try:
                con.execute(
                    f"INSERT INTO {self.name} SELECT {cols}, ? AS _file"
                    " FROM read_parquet(?, hive_partitioning=false)",
                    [f.rel, f.path],
                )
            except duckdb.Error as exc:
                # Mid-rename or vanished: `self.files` is left as it was, so the next window
                # deletes and reloads the same set and the table stays consistent.
                raise InputError(f"reading {f.path}: {exc}") from exc
        tenants |= self._tenants_of(con, touched)
        self.files = now
        return tenants - {""}

    def _tenants_of(self, con: duckdb.DuckDBPyConnection, rels: list[str]) -> set[str]:
        if not rels:
            return set()
        rows = con.execute(
            f"SELECT DISTINCT tenant_id FROM {self.name} WHERE list_contains(?, _file)", [rels]
        ).fetchall()
        return {r[0] for r in rows}


class InputError(RuntimeError):
    """An input file could not be read this window (it is retried in the next one)."""


def findings_table(root: Path) -> LoadedTable:
    return LoadedTable("findings", FINDING_SCHEMA, root, {})


def scans_table(root: Path) -> LoadedTable:
    return LoadedTable("scans", SCAN_SCHEMA, root, {})
