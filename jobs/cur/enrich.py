"""Actual cost for findings, from the normalized cost facts (`finops cur enrich`).

For each finding: the cost of its resource over the last 7 and 30 days, month to date and the
previous month, relative to `as_of` (default: the latest usage end in the facts). Attribution falls
back in order: `exact_resource` (the finding's canonical ARN is billed), `scoped_rollup` (the total
of the finding's account + region + service: context, not the resource's own cost), `none`. Without
any facts every finding passes through with `none`: CUR is enrichment, never a requirement.

The facts are scanned once, into (resource, scope, currency) window sums that are rolled up to
resources and scopes as small tables before the join; the finding columns are never
round-tripped through DuckDB: the seven new columns are appended to the caller's Arrow table in
its own row order.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds

from contracts.schema import FINDING_SCHEMA, MONEY
from jobs.cur.names import quote_literal
from jobs.cur.services import FINDING_SERVICE_CODES

EXACT, ROLLUP, NONE = "exact_resource", "scoped_rollup", "none"
METHODS = (EXACT, ROLLUP, NONE)
BASE_CONFIDENCE = {EXACT: 0.9, ROLLUP: 0.4, NONE: 0.0}
WINDOW_DAYS = 30

ENRICHMENT_FIELDS: list[pa.Field] = [
    pa.field("actual_cost_7d", MONEY, nullable=True),
    pa.field("actual_cost_30d", MONEY, nullable=True),
    pa.field("actual_cost_mtd", MONEY, nullable=True),
    pa.field("actual_cost_prev_month", MONEY, nullable=True),
    pa.field("actual_currency", pa.string(), nullable=True),
    pa.field("attribution_method", pa.string(), nullable=False),
    pa.field("attribution_confidence", pa.float64(), nullable=False),
]
ENRICHED_SCHEMA = pa.schema(
    list(FINDING_SCHEMA) + ENRICHMENT_FIELDS,
    metadata={"finops.schema": "finding_enriched", "finops.schema_version": "1"},
)
_KEY_COLUMNS = ("tenant_id", "account_id", "region", "service", "resource_id")


def read_findings(path: Path | str) -> pa.Table:
    """Findings Parquet (a file or a `data/findings/` tree) as exactly FINDING_SCHEMA."""
    path = Path(path)
    files = [str(path)] if path.is_file() else parquet_files(path)
    if not files:
        return FINDING_SCHEMA.empty_table()
    return ds.dataset(files, format="parquet", schema=FINDING_SCHEMA, partitioning=None).to_table()


def parquet_files(folder: Path | str | None) -> list[str]:
    """Parquet files under `folder` (none when it is missing), sorted; temp files excluded."""
    if folder is None or not Path(folder).exists():
        return []
    return sorted(str(p) for p in Path(folder).rglob("*.parquet") if not p.name.startswith("."))


def facts_relation(files: list[str]) -> str:
    """The DuckDB relation over the facts files (`parquet_files`): their own columns only (no
    hive path columns), files of older FACTS versions read by name."""
    return (f"read_parquet([{', '.join(quote_literal(f) for f in files)}], "
            "hive_partitioning = false, union_by_name = true)")


_AGGREGATES = ("cur_window", "cur_by_res", "cur_by_scope", "cur_cov")


@dataclass(frozen=True)
class Aggregates:
    """The facts' window sums, rolled up per resource and per scope, for one `as_of`: what
    `enrich_findings` joins the findings to (a function of the facts alone, so a caller that
    enriches several batches of findings against the same facts computes it once)."""

    as_of: datetime
    tables: dict[str, pa.Table]  # _AGGREGATES by name


def facts_aggregates(facts_dir: Path | str | None, as_of: datetime | None = None,
                     con: duckdb.DuckDBPyConnection | None = None) -> Aggregates | None:
    """One scan of the facts (None without facts, or when they bill nothing)."""
    files = parquet_files(facts_dir)
    if not files:
        return None
    con = con or duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    facts = facts_relation(files)
    if as_of is None:
        latest = con.sql(f"SELECT max(COALESCE(usage_end, usage_start)) FROM {facts}").fetchall()
        as_of = latest[0][0]
        if as_of is None:
            return None
    try:
        # Aggregates first, as real tables: the join then sees their true (small) sizes and
        # builds its hash tables on them, not on the findings.
        for statement in _aggregate_sql(facts):
            con.execute(statement, [as_of] if "?" in statement else None)
        tables = {name: con.sql(f"SELECT * FROM {name}").to_arrow_table() for name in _AGGREGATES}
    finally:
        for name in ("cur_grain", *_AGGREGATES):
            con.execute(f"DROP TABLE IF EXISTS {name}")
    return Aggregates(as_of, tables)


def enrich_findings(
    findings: pa.Table | Path | str,
    facts_dir: Path | str | None,
    as_of: datetime | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    aggregates: Aggregates | None = None,
) -> pa.Table:
    """`findings` (FINDING_SCHEMA) plus the actual-cost columns, as ENRICHED_SCHEMA, same row order.

    The confidence is the method's base (exact 0.9, roll-up 0.4) times the share of the 30 days
    before `as_of` that the tenant's facts span (a bill that starts late or stops early is less
    sure; CUR is hourly and continuous, so the span stands for the covered days).
    `as_of` is an exclusive instant: the 7/30-day windows end there, and month-to-date is the month
    holding the last instant before it (so the default, the end of the last billed hour, gives the
    last billed month). The schema metadata records the as_of used. `aggregates`: this
    function's `facts_aggregates(facts_dir, as_of)`, when the caller already has it."""
    table = findings if isinstance(findings, pa.Table) else read_findings(findings)
    table = table.select(FINDING_SCHEMA.names)
    if not table.schema.equals(FINDING_SCHEMA, check_metadata=False):
        table = table.cast(FINDING_SCHEMA)
    con = con or duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    if table.num_rows == 0:
        return _append(table, _none_columns(table.num_rows), None)
    if aggregates is None:
        aggregates = facts_aggregates(facts_dir, as_of, con)
    if aggregates is None:
        return _append(table, _none_columns(table.num_rows), None)
    keys = table.select(list(_KEY_COLUMNS)).append_column(
        "row_no", pa.array(range(table.num_rows), pa.int64())
    )
    con.register("cur_finding_keys", keys)
    try:
        for name, agg in aggregates.tables.items():
            con.register(f"_{name}", agg)
            con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _{name}")
            con.unregister(f"_{name}")
        result = con.sql(_join_sql()).to_arrow_table()
    finally:
        con.unregister("cur_finding_keys")
        for name in _AGGREGATES:
            con.execute(f"DROP TABLE IF EXISTS {name}")
    return _append(table, result, aggregates.as_of)


def _aggregate_sql(facts: str) -> list[str]:
    """One scan of the facts to (tenant, account, region, service, resource, currency) sums per
    window (currency as a key is cheaper than min/max of strings over every line item),
    then the per-resource and per-scope roll-ups and the tenant's window coverage."""
    cost = "COALESCE(cost_effective, cost_primary)"

    def windowed(lo: str, hi: str) -> str:
        return f"sum(CASE WHEN usage_start >= {lo} AND usage_start < {hi} THEN {cost} END)"

    sums = ", ".join(f"sum({s}) AS {s}" for s in _SUMS)
    currencies = "min(currency) AS cur_min, max(currency) AS cur_max"
    return [
        f"""CREATE OR REPLACE TEMP TABLE cur_window AS
        SELECT as_of, as_of - INTERVAL 7 DAY AS s7, as_of - INTERVAL {WINDOW_DAYS} DAY AS s30,
               date_trunc('month', as_of - INTERVAL 1 MICROSECOND) AS m0,
               date_trunc('month', as_of - INTERVAL 1 MICROSECOND) - INTERVAL 1 MONTH AS mp
        FROM (SELECT CAST(? AS TIMESTAMPTZ) AS as_of)""",
        f"""CREATE OR REPLACE TEMP TABLE cur_grain AS
        SELECT tenant_id, account_id, region, lower(service) AS service_l, resource_id, currency,
               {windowed("w.s7", "w.as_of")} AS c7,
               {windowed("w.s30", "w.as_of")} AS c30,
               {windowed("w.m0", "w.as_of")} AS mtd,
               {windowed("w.mp", "w.m0")} AS prev,
               min(usage_start) AS lo, max(COALESCE(usage_end, usage_start)) AS hi
        FROM {facts}, cur_window w
        GROUP BY tenant_id, account_id, region, service_l, resource_id, currency""",
        f"""CREATE OR REPLACE TEMP TABLE cur_by_res AS
        SELECT tenant_id, resource_id, {sums}, {currencies}
        FROM cur_grain WHERE resource_id IS NOT NULL GROUP BY ALL""",
        f"""CREATE OR REPLACE TEMP TABLE cur_by_scope AS
        SELECT tenant_id, account_id, region, service_l, {sums}, {currencies}
        FROM cur_grain GROUP BY ALL""",
        """CREATE OR REPLACE TEMP TABLE cur_cov AS
        SELECT g.tenant_id, g.lo, g.hi, greatest(0.0, least(1.0,
               epoch(least(g.hi, w.as_of) - greatest(g.lo, w.s30)) / epoch(w.as_of - w.s30)
               )) AS coverage
        FROM (SELECT tenant_id, min(lo) AS lo, max(hi) AS hi FROM cur_grain GROUP BY ALL) g,
             cur_window w""",
    ]


_SUMS = ("c7", "c30", "mtd", "prev")
_OUT = ("actual_cost_7d", "actual_cost_30d", "actual_cost_mtd", "actual_cost_prev_month")
# each window's [start, end) in cur_window: a window the tenant's bill does not reach at all is
# unknown (NULL, "no billing data"), never a $0.00 that would read as "cost nothing"
_WINDOWS = {"c7": ("w.s7", "w.as_of"), "c30": ("w.s30", "w.as_of"), "mtd": ("w.m0", "w.as_of"),
            "prev": ("w.mp", "w.m0")}


def _service_sql(expr: str) -> str:
    """Finding service -> lower-case product code, inline (a CASE is cheaper than a join)."""
    whens = " ".join(
        f"WHEN '{k}' THEN '{v.lower()}'" for k, v in sorted(FINDING_SERVICE_CODES.items())
    )
    return f"CASE lower({expr}) {whens} ELSE lower({expr}) END"


def _join_sql() -> str:
    money = "CAST(round({x}, 2) AS DECIMAL(18, 2))"
    pick = (
        "CASE WHEN NOT (cov.lo < {hi} AND cov.hi > {lo}) THEN NULL "
        "WHEN r.resource_id IS NOT NULL THEN COALESCE(r.{s}, 0.0) "
        "WHEN s.tenant_id IS NOT NULL THEN COALESCE(s.{s}, 0.0) END"
    )
    out = ", ".join(
        f"{money.format(x=pick.format(s=s, lo=_WINDOWS[s][0], hi=_WINDOWS[s][1]))} AS {name}"
        for s, name in zip(_SUMS, _OUT, strict=True)
    )
    return f"""
    SELECT {out},
        CASE WHEN r.resource_id IS NOT NULL THEN
                 CASE WHEN r.cur_min = r.cur_max THEN r.cur_min ELSE 'MIXED' END
             WHEN s.tenant_id IS NOT NULL THEN
                 CASE WHEN s.cur_min = s.cur_max THEN s.cur_min ELSE 'MIXED' END
        END AS actual_currency,
        CASE WHEN r.resource_id IS NOT NULL THEN '{EXACT}'
             WHEN s.tenant_id IS NOT NULL THEN '{ROLLUP}' ELSE '{NONE}' END AS attribution_method,
        round(CASE WHEN r.resource_id IS NOT NULL THEN {BASE_CONFIDENCE[EXACT]}
                   WHEN s.tenant_id IS NOT NULL THEN {BASE_CONFIDENCE[ROLLUP]} ELSE 0.0 END
              * COALESCE(cov.coverage, 0.0), 3) AS attribution_confidence
    FROM cur_finding_keys f
    LEFT JOIN cur_by_res r ON r.tenant_id = f.tenant_id AND r.resource_id = f.resource_id
    LEFT JOIN cur_by_scope s ON s.tenant_id = f.tenant_id AND s.account_id = f.account_id
        AND s.region = f.region AND s.service_l = {_service_sql("f.service")}
    LEFT JOIN cur_cov cov ON cov.tenant_id = f.tenant_id
    CROSS JOIN cur_window w
    ORDER BY f.row_no
    """


def _none_columns(n: int) -> pa.Table:
    return pa.table(
        {
            "actual_cost_7d": pa.nulls(n, MONEY),
            "actual_cost_30d": pa.nulls(n, MONEY),
            "actual_cost_mtd": pa.nulls(n, MONEY),
            "actual_cost_prev_month": pa.nulls(n, MONEY),
            "actual_currency": pa.nulls(n, pa.string()),
            "attribution_method": pa.array([NONE] * n, pa.string()),
            "attribution_confidence": pa.array([0.0] * n, pa.float64()),
        }
    )


def _append(table: pa.Table, extra: pa.Table, as_of: datetime | None) -> pa.Table:
    if extra.num_rows != table.num_rows:
        raise RuntimeError(
            f"enrichment returned {extra.num_rows} rows for {table.num_rows} findings"
        )
    arrays = list(table.columns) + [extra.column(f.name) for f in ENRICHMENT_FIELDS]
    metadata = dict(ENRICHED_SCHEMA.metadata or {})
    metadata[b"finops.cur_as_of"] = b"" if as_of is None else as_of.isoformat().encode()
    schema = ENRICHED_SCHEMA.with_metadata(metadata)
    return pa.Table.from_arrays(arrays, schema=pa.schema(list(ENRICHED_SCHEMA))).cast(schema)


@dataclass(frozen=True, slots=True)
class MethodShare:
    method: str
    findings: int
    findings_share: float
    savings: float
    savings_share: float


@dataclass(frozen=True, slots=True)
class Coverage:
    """How much of the findings (and of their estimated savings) carry exact, roll-up or no cost."""

    findings: int
    savings: float
    by_method: dict[str, MethodShare]

    def to_dict(self) -> dict[str, object]:
        return {
            "findings": self.findings,
            "savings": self.savings,
            "by_method": {m: asdict(s) for m, s in self.by_method.items()},
        }


def coverage(enriched: pa.Table | Path | str) -> Coverage:
    """Coverage figures of an enriched table (or a folder of enriched Parquet)."""
    if not isinstance(enriched, pa.Table):
        files = parquet_files(enriched)
        enriched = (
            ds.dataset(files, format="parquet", schema=ENRICHED_SCHEMA).to_table()
            if files
            else ENRICHED_SCHEMA.empty_table()
        )
    con = duckdb.connect()
    con.register(
        "cur_enriched", enriched.select(["attribution_method", "estimated_monthly_savings"])
    )
    rows = con.sql(
        "SELECT attribution_method, count(*), "
        "COALESCE(sum(CAST(estimated_monthly_savings AS DOUBLE)), 0.0) "
        "FROM cur_enriched GROUP BY 1"
    ).fetchall()
    counts = {m: (int(n), float(s)) for m, n, s in rows}
    total_n = sum(n for n, _ in counts.values())
    total_s = sum(s for _, s in counts.values())
    shares = {}
    for m in METHODS:
        n, s = counts.get(m, (0, 0.0))
        shares[m] = MethodShare(
            m,
            n,
            round(n / total_n, 4) if total_n else 0.0,
            round(s, 2),
            round(s / total_s, 4) if total_s else 0.0,
        )
    return Coverage(total_n, round(total_s, 2), shares)
