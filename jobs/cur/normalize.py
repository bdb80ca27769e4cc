"""`finops cur normalize`: every billing export under an input folder -> `cur_facts/` Parquet.

Layout: `<out>/tenant_id=<t>/billing_month=<YYYY-MM>/facts.parquet`, exactly FACTS_SCHEMA. Each
file is read on its own and problems stay with it (a truncated or foreign file is reported with its
name and reason; the rest is processed). All line items are staged in one DuckDB table and each
month is written sorted by every column with pinned writer options, so the same input always gives
the same bytes, whatever the input row order. A month whose new bytes equal the file on disk is left
untouched: adding a month rewrites only that month.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from jobs.cur.facts_schema import DUCKDB_TYPES, FACTS_SCHEMA
from jobs.cur.names import quote_ident, quote_literal
from jobs.cur.parquet_io import ROW_GROUP_ROWS, write_if_changed
from jobs.cur.readers import ReadError, open_source
from jobs.cur.resource_ids import normalize_resource_id
from jobs.cur.variants import MACROS_SQL, UnknownVariant, detect

log = logging.getLogger(__name__)

DEFAULT_TENANT = "default"
FACTS_FILE = "facts.parquet"
_SKIP_SUFFIXES = (".json", ".md", ".crc", ".sql", ".yaml", ".yml")
_TENANT_DIR = re.compile(r"^tenant_id=(.+)$")
_SORT_COLUMNS = [n for n in FACTS_SCHEMA.names if n != "tags"] + ["CAST(tags AS VARCHAR)"]


@dataclass(frozen=True, slots=True)
class FileProblem:
    path: str
    reason: str


@dataclass(slots=True)
class NormalizeReport:
    files_ok: list[str] = field(default_factory=list)
    variants: dict[str, str] = field(default_factory=dict)  # file -> variant/format
    problems: list[FileProblem] = field(default_factory=list)
    months_written: list[str] = field(default_factory=list)
    months_unchanged: list[str] = field(default_factory=list)
    rows: int = 0


def discover(input_dir: Path) -> list[Path]:
    """Candidate data files, sorted; manifests and docs are not data."""
    out = []
    for path in sorted(input_dir.rglob("*")):
        hidden = any(p.startswith(".") for p in path.relative_to(input_dir).parts)
        if hidden or path.name.startswith("_") or not path.is_file():
            continue  # dot-folders, _SUCCESS / _metadata markers
        if path.name.lower().endswith(_SKIP_SUFFIXES):
            continue
        out.append(path)
    return out


def tenant_for(path: Path, input_dir: Path, default: str) -> str:
    """A `tenant_id=<t>` folder on the way to the file names its tenant; else the default."""
    for part in path.relative_to(input_dir).parts[:-1]:
        match = _TENANT_DIR.match(part)
        if match:
            return match.group(1)
    return default


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB in UTC. FINOPS_DUCKDB_MEMORY_LIMIT (e.g. `4GB`) caps its memory (it
    spills to a temp folder beyond that); DuckDB's default is 80% of the machine's RAM, too much on
    a host shared with the stream and the other jobs."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    limit = os.environ.get("FINOPS_DUCKDB_MEMORY_LIMIT")
    if limit:
        con.execute(f"SET memory_limit = {quote_literal(limit)}")
        con.execute(
            f"SET temp_directory = {quote_literal(tempfile.gettempdir() + '/finops-duckdb')}"
        )
    con.execute(MACROS_SQL)
    return con


def normalize(input_dir: Path, output_dir: Path, tenant: str | None = None) -> NormalizeReport:
    """Normalize every billing file under `input_dir` into `output_dir` (see module docstring)."""
    input_dir, output_dir = Path(input_dir), Path(output_dir)
    report = NormalizeReport()
    con = connect()
    cols = ", ".join(f"{quote_ident(n)} {t}" for n, t in DUCKDB_TYPES.items() if n != "resource_id")
    con.execute(f"CREATE TEMP TABLE stage ({cols})")
    for path in discover(input_dir):
        rel = path.relative_to(input_dir).as_posix()
        try:
            stage_file(
                con,
                path,
                input_dir,
                rel,
                tenant_for(path, input_dir, tenant or DEFAULT_TENANT),
                report,
            )
        except (ReadError, UnknownVariant, duckdb.Error, OSError) as exc:
            reason = str(exc).replace(str(path), rel)
            report.problems.append(FileProblem(rel, reason))
            log.warning("cur file skipped", extra={"file": rel, "reason": reason})
    _resolve_resource_ids(con)
    _write_months(con, output_dir, report)
    return report


def stage_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    root: Path,
    rel: str,
    tenant: str,
    report: NormalizeReport,
) -> None:
    """Map one file onto the staging table, all or nothing (one transaction per file)."""
    source = open_source(con, path, root)
    variant = detect(source.columns)
    select = variant.select_list()
    tagged = f"{variant.name}/{source.fmt}"
    month = f"strftime(COALESCE({variant.billing_period_sql()}, {select['usage_start']}), '%Y-%m')"
    exprs = {
        "tenant_id": quote_literal(tenant),
        "billing_month": month,
        **select,
        "source_file": quote_literal(rel),
        "source_variant": quote_literal(tagged),
    }
    names = [n for n in DUCKDB_TYPES if n != "resource_id"]
    body = ", ".join(f"{exprs[n]} AS {quote_ident(n)}" for n in names)
    con.execute("BEGIN TRANSACTION")
    try:
        before = con.sql("SELECT count(*) FROM stage").fetchall()[0][0]
        con.execute(f"INSERT INTO stage SELECT {body} FROM {source.from_sql}")
        after = con.sql("SELECT count(*) FROM stage").fetchall()[0][0]
        undated = con.sql(
            f"SELECT count(*) FROM stage WHERE source_file = {quote_literal(rel)} "
            "AND billing_month IS NULL"
        ).fetchall()[0][0]
        if undated:
            con.execute(
                f"DELETE FROM stage WHERE source_file = {quote_literal(rel)} "
                "AND billing_month IS NULL"
            )
            report.problems.append(
                FileProblem(rel, f"{undated} rows without a usage or billing-period date skipped")
            )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    report.files_ok.append(rel)
    report.variants[rel] = tagged
    report.rows += after - before - undated
    log.info("cur file staged", extra={"file": rel, "variant": tagged, "rows": after - before})


def _resolve_resource_ids(con: duckdb.DuckDBPyConnection) -> None:
    """Canonical ARNs for the distinct (raw id, service, account, region) of the staged rows."""
    keys = con.sql(
        "SELECT DISTINCT resource_id_raw, service, account_id, region FROM stage "
        "WHERE resource_id_raw IS NOT NULL"
    ).fetchall()
    mapped = pa.table(
        {
            "k_raw": [k[0] for k in keys],
            "k_service": [k[1] or "" for k in keys],
            "k_account": [k[2] or "" for k in keys],
            "k_region": [k[3] or "" for k in keys],
            "k_norm": [normalize_resource_id(*k) for k in keys],
        },
        schema=pa.schema(
            [(n, pa.string()) for n in ("k_raw", "k_service", "k_account", "k_region", "k_norm")]
        ),
    )
    con.register("resource_map_arrow", mapped)
    con.execute("CREATE TEMP TABLE resource_map AS SELECT * FROM resource_map_arrow")
    con.unregister("resource_map_arrow")
    names = ", ".join(
        "m.k_norm AS resource_id" if n == "resource_id" else f"s.{quote_ident(n)}"
        for n in FACTS_SCHEMA.names
    )
    # A view, not a table: each month's export joins its own rows once (no 2nd copy of the bill).
    con.execute(
        f"CREATE TEMP VIEW facts AS SELECT {names} FROM stage s LEFT JOIN resource_map m "
        "ON s.resource_id_raw = m.k_raw AND COALESCE(s.service, '') = m.k_service "
        "AND COALESCE(s.account_id, '') = m.k_account AND COALESCE(s.region, '') = m.k_region"
    )


def _write_months(
    con: duckdb.DuckDBPyConnection, output_dir: Path, report: NormalizeReport
) -> None:
    parts = con.sql("SELECT DISTINCT tenant_id, billing_month FROM stage ORDER BY 1, 2").fetchall()
    order = ", ".join(_SORT_COLUMNS)
    for tenant, month in parts:
        target = output_dir / f"tenant_id={tenant}" / f"billing_month={month}" / FACTS_FILE
        query = (
            f"SELECT * FROM facts WHERE tenant_id = {quote_literal(tenant)} "
            f"AND billing_month = {quote_literal(month)} ORDER BY {order}"
        )
        changed = write_if_changed(
            con.sql(query).to_arrow_reader(ROW_GROUP_ROWS), target, FACTS_SCHEMA
        )
        (report.months_written if changed else report.months_unchanged).append(f"{tenant}/{month}")
