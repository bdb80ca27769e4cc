"""Per-format readers: sniff a file's bytes, and give DuckDB a FROM clause plus the raw columns.

The format is told by content, not by the name (exports arrive as `.gz`, `.csv.gz`, no suffix):
`PAR1` magic -> Parquet; gzip or plain text whose first line holds `\\x01` -> Athena/Hive text
(no quoting, `\\N` nulls, header row optional: columns then come from a manifest); other text ->
CSV with a header row. Text is read all-VARCHAR so that typing is decided once, by the variant
mapping (TRY_CAST), not guessed per file by a sniffer.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from jobs.cur.names import cur_snake, quote_literal

SOH = "\x01"
_HEADER_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_/:.\- ]*$")
_CUR_PREFIXES = ("identity", "bill", "line_item", "lineitem")
_FOCUS_KEYS = {"billedcost", "chargeperiodstart", "effectivecost"}


class ReadError(ValueError):
    """A file that cannot be read as any supported format (the reason says why)."""


@dataclass(frozen=True, slots=True)
class RawSource:
    path: Path
    fmt: str  # parquet | csv | athena-text
    from_sql: str  # a DuckDB table expression
    columns: dict[str, str]  # raw column name -> DuckDB type


def open_source(con: duckdb.DuckDBPyConnection, path: Path, root: Path) -> RawSource:
    """Sniff `path` and describe it; raises ReadError with the reason."""
    if path.stat().st_size == 0:
        raise ReadError(f"{path}: empty file")
    head = _head(path)
    if head.startswith(b"PAR1"):
        return _parquet(con, path)
    first_line = _first_line(path, head)
    if any(ord(ch) < 0x20 and ch not in "\x01\t" for ch in first_line):
        raise ReadError(f"{path}: binary data, not Parquet, CSV or Athena text")
    if SOH in first_line:
        return _athena_text(con, path, root, first_line)
    if "," in first_line or "\t" in first_line:
        return _csv(con, path)
    raise ReadError(f"{path}: not Parquet, CSV or Athena text (first bytes {head[:16]!r})")


def _head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(4)


def _first_line(path: Path, head: bytes) -> str:
    try:
        if head.startswith(b"\x1f\x8b"):
            with gzip.open(path, "rb") as fh:
                raw = fh.readline(4 << 20)
        else:
            with path.open("rb") as fh:
                raw = fh.readline(4 << 20)
    except (OSError, EOFError, zlib.error) as exc:
        raise ReadError(f"{path}: unreadable compressed data ({exc})") from exc
    try:
        return raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise ReadError(f"{path}: not UTF-8 text and not Parquet ({exc})") from exc


def _describe(con: duckdb.DuckDBPyConnection, path: Path, from_sql: str) -> dict[str, str]:
    try:
        rows = con.sql(f"DESCRIBE SELECT * FROM {from_sql}").fetchall()
    except duckdb.Error as exc:
        raise ReadError(f"{path}: {type(exc).__name__}: {exc}") from exc
    return {str(r[0]): str(r[1]) for r in rows}


def _parquet(con: duckdb.DuckDBPyConnection, path: Path) -> RawSource:
    size = path.stat().st_size
    with path.open("rb") as fh:
        fh.seek(max(size - 4, 0))
        tail = fh.read(4)
    if size < 12 or tail != b"PAR1":
        raise ReadError(f"{path}: truncated Parquet (no footer magic)")
    from_sql = f"read_parquet({quote_literal(str(path))}, hive_partitioning = false)"
    return RawSource(path, "parquet", from_sql, _describe(con, path, from_sql))


def _csv(con: duckdb.DuckDBPyConnection, path: Path) -> RawSource:
    from_sql = (
        f"read_csv({quote_literal(str(path))}, header = true, all_varchar = true, "
        "nullstr = 'NULL', normalize_names = false, auto_detect = true, strict_mode = true)"
    )
    return RawSource(path, "csv", from_sql, _describe(con, path, from_sql))


def _athena_text(
    con: duckdb.DuckDBPyConnection, path: Path, root: Path, first_line: str
) -> RawSource:
    fields = first_line.split(SOH)
    has_header = looks_like_header(fields)
    names = fields
    if not has_header:
        manifest = manifest_columns(path, root)
        if manifest is None:
            raise ReadError(f"{path}: Athena text without a header row and no manifest found")
        if len(manifest) != len(fields):
            raise ReadError(
                f"{path}: manifest has {len(manifest)} columns, the first row has {len(fields)}"
            )
        names = manifest
    cols = "{" + ", ".join(f"{quote_literal(n)}: 'VARCHAR'" for n in names) + "}"
    from_sql = (
        f"read_csv({quote_literal(str(path))}, delim = {quote_literal(SOH)}, quote = '', "
        f"escape = '', header = {str(has_header).lower()}, nullstr = '\\N', columns = {cols}, "
        "auto_detect = false, strict_mode = true)"
    )
    return RawSource(path, "athena-text", from_sql, _describe(con, path, from_sql))


def looks_like_header(fields: list[str]) -> bool:
    """Line 1 of an Athena text file is a header when every field is an identifier and one names
    a CUR column family or a FOCUS key column (Athena lower-cases FOCUS names)."""
    if not all(_HEADER_FIELD.match(f) for f in fields):
        return False
    return any(cur_snake(f).startswith(_CUR_PREFIXES) or f.lower() in _FOCUS_KEYS for f in fields)


def manifest_columns(path: Path, root: Path) -> list[str] | None:
    """Column names from the nearest manifest (`*.json` with `columns`) in the file's folder or a
    parent up to `root`. CUR manifests list `{category, name}`; these become `category/name`, which
    the CUR variant snake-cases like any CSV header. A plain list of names is taken as is."""
    folder = path.parent
    root = root.resolve()
    while True:
        for candidate in sorted(folder.glob("*.json")):
            cols = _read_manifest(candidate)
            if cols:
                return cols
        if folder.resolve() == root or folder.parent == folder:
            return None
        folder = folder.parent


def _read_manifest(path: Path) -> list[str] | None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    cols = doc.get("columns") if isinstance(doc, dict) else None
    if not isinstance(cols, list) or not cols:
        return None
    out: list[str] = []
    for col in cols:
        if isinstance(col, str):
            out.append(col)
        elif isinstance(col, dict) and "name" in col:
            cat = col.get("category")
            out.append(f"{cat}/{col['name']}" if cat else str(col["name"]))
        else:
            return None
    return out
