"""One tenant's window: lifecycle -> cost enrichment -> suppressions -> correlation -> documents.

The result is a pure function of the tenant's rows in the `findings` and `scans` tables, the
cost facts, the suppression file and the rules: nothing here reads the clock or depends on
the order files were loaded, which is what makes an incremental window equal a batch run.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from jobs import cost_columns, counting, documents, lifecycle_events, suppressions
from jobs.correlation.engine import Rule, run_rules
from jobs.enrichment import enrich
from jobs.estimates import estimate_columns
from jobs.lifecycle import build_state
from jobs.realized_json import realized_json
from sinks.snapshots import Watermark

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TenantConfig:
    rules: list[Rule]
    facts_dir: Path | None = None
    suppressions_dir: Path | None = None
    top_n: int = 50
    history: timedelta | None = None  # only rows this close to the as-of time count (None: all)
    states: bool = False  # keep every finding's lifecycle state (for the lifecycle topics)


@dataclass(frozen=True, slots=True)
class TenantSnapshot:
    tenant_id: str
    docs: dict[str, Any]
    as_of: str | None
    watermark: Watermark
    version: int
    stages: dict[str, float]  # seconds per stage (for logs and the benchmark)
    horizon: datetime | None = None  # rows older than this no longer count (history set)
    states: list[dict[str, Any]] | None = None  # lifecycle_events.current_states (cfg.states)
    as_of_time: datetime | None = None


def iso(ts: datetime | None) -> str | None:
    if ts is None:
        return None
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def watermark(con: duckdb.DuckDBPyConnection, tenant: str) -> tuple[Watermark, int]:
    """Files and max offsets of the tenant's input, and the version (input row count, which only
    grows as stream files fill: monotonic, and the same for a replay or a batch run). Taken from
    the per-file statistics recorded at load, so pruning old rows changes none of them."""
    files = [r[0] for r in con.execute(
        "SELECT DISTINCT 'findings/' || _file FROM findings_files WHERE tenant_id = $t UNION"
        " SELECT DISTINCT 'scans/' || _file FROM scans_files WHERE tenant_id = $t ORDER BY 1",
        {"t": tenant}).fetchall()]
    stats = ("(SELECT * FROM findings_files WHERE tenant_id = $t UNION ALL"
             " SELECT * FROM scans_files WHERE tenant_id = $t)")
    offsets = {f"{t}:{p}": int(o) for t, p, o in con.execute(
        f"SELECT source_topic, source_partition, max(max_offset) FROM {stats}"
        " GROUP BY 1, 2 ORDER BY 1, 2", {"t": tenant}).fetchall()}
    version = con.execute(f"SELECT coalesce(sum(n), 0) FROM {stats}",
                          {"t": tenant}).fetchall()[0][0]
    return Watermark(tuple(files), offsets), int(version)


def _links_table(metas: Any) -> pa.Table:
    meta_fps, sources, excluded = [], [], []
    for fp, fps, extra in zip(metas.table.column("fingerprint").to_pylist(),
                              metas.table.column("source_fingerprints").to_pylist(),
                              metas.extra, strict=True):
        for src in fps:
            meta_fps.append(fp)
            sources.append(src)
            excluded.append(src in extra["excluded_fingerprints"])
    return pa.table({"meta_fp": pa.array(meta_fps, pa.string()),
                     "source_fp": pa.array(sources, pa.string()),
                     "excluded": pa.array(excluded, pa.bool_())})


def horizon_of(con: duckdb.DuckDBPyConnection, tenant: str,
               history: timedelta | None) -> datetime | None:
    """as_of - history, where as_of is the newest data time of the tenant (which pruning never
    removes, so a long-running runner and a batch run agree on it)."""
    if history is None:
        return None
    as_of = con.execute(
        "SELECT greatest((SELECT max(observed_at) FROM findings WHERE tenant_id = $t),"
        " (SELECT max(finished_at) FROM scans WHERE tenant_id = $t))", {"t": tenant}
    ).fetchall()[0][0]
    return None if as_of is None else as_of - history


def tenant_views(con: duckdb.DuckDBPyConnection, tenant: str, history: timedelta | None,
                 findings: str = "findings", scans: str = "scans") -> None:
    """Views `tfindings` / `tscans`: the tenant's rows within the history horizon."""
    horizon = horizon_of(con, tenant, history)
    quoted = tenant.replace("'", "''")
    keep_f = keep_s = ""
    if horizon is not None:
        keep_f = f" AND observed_at >= TIMESTAMPTZ '{horizon.isoformat()}'"
        keep_s = f" AND finished_at >= TIMESTAMPTZ '{horizon.isoformat()}'"
    con.execute(f"CREATE OR REPLACE TEMP VIEW tfindings AS SELECT * FROM {findings}"
                f" WHERE tenant_id = '{quoted}'{keep_f}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW tscans AS SELECT * FROM {scans}"
                f" WHERE tenant_id = '{quoted}'{keep_s}")


def prepare_active(
    con: duckdb.DuckDBPyConnection, tenant: str, cfg: TenantConfig, stages: dict[str, float],
    findings: str = "findings", scans: str = "scans",
) -> tuple[Any, Any]:
    """Tables `fcur` (every fingerprint: lifecycle + cost + suppression) and view `factive`
    (the correlation input: not resolved, not suppressed); returns (clock, enrichment).
    `findings` / `scans`: the tables (or views, e.g. up to an as-of time) to read."""
    t0 = time.perf_counter()
    tenant_views(con, tenant, cfg.history, findings, scans)
    clock = build_state(con, tenant, findings="tfindings", scans="tscans")
    stages["lifecycle"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    state = con.sql("SELECT * FROM fstate ORDER BY fingerprint").to_arrow_table()
    cur = enrich(state, cfg.facts_dir, tenant)
    for field in cur.columns.schema:
        state = state.append_column(field, cur.columns.column(field.name))
    priced = estimate_columns(state, cfg.facts_dir, tenant)  # list vs the customer's rates
    for field in priced.schema:
        state = state.append_column(field, priced.column(field.name))
    stages["enrich"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    rules = suppressions.load(cfg.suppressions_dir, tenant)
    con.register("_fenriched", state)
    try:
        suppressions.apply(con, "_fenriched", "fcur", rules, clock.as_of)
    finally:
        con.unregister("_fenriched")
    con.execute("CREATE OR REPLACE TEMP VIEW factive AS SELECT * FROM fcur"
                " WHERE lifecycle_state <> 'resolved' AND NOT suppressed")
    stages["suppress"] = time.perf_counter() - t0
    return clock, cur


def counted_findings(
    con: duckdb.DuckDBPyConnection, tenant: str, cfg: TenantConfig, stages: dict[str, float],
    findings: str = "findings", scans: str = "scans",
) -> tuple[Any, Any]:
    """Tables `fdoc` (every fingerprint with `counted`, `count_state`, `unpriced_reason` as
    jobs/counting.py defines them) and `fmeta` (the correlation rules' meta-findings): what any
    total must be computed from. Returns (clock, enrichment)."""
    clock, cur = prepare_active(con, tenant, cfg, stages, findings, scans)

    t0 = time.perf_counter()
    metas = run_rules(con, "factive", tenant, clock.as_of, cfg.rules)
    stages["correlate"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    meta_table = metas.table
    for name in ("rule_id", "lifecycle_state"):
        meta_table = meta_table.append_column(
            name, pa.array([e[name] for e in metas.extra], pa.string()))
    for name in ("first_seen", "last_seen"):
        meta_table = meta_table.append_column(
            name, pa.array([e[name] for e in metas.extra], pa.timestamp("us", tz="UTC")))
    for name in ("excluded_fingerprints", "overruled_by"):
        meta_table = meta_table.append_column(name, pa.array(
            [e[name] for e in metas.extra], pa.list_(pa.string())))
    con.register("_metas", meta_table)
    con.register("_links", _links_table(metas))
    try:
        # one statement, so the wide rows are materialized once (fdoc), not three times
        con.execute(
            """CREATE OR REPLACE TEMP VIEW _flinked AS
               WITH l AS (SELECT source_fp, list_sort(list(meta_fp)) AS correlated_in,
                                 list_sort(list(meta_fp) FILTER (WHERE excluded))
                                     AS superseded_by,
                                 bool_or(excluded) AS superseded
                          FROM _links GROUP BY source_fp)
               SELECT f.*, coalesce(l.correlated_in, []::VARCHAR[]) AS correlated_in,
                      coalesce(l.superseded, false) AS superseded,
                      coalesce(l.superseded_by, []::VARCHAR[]) AS superseded_by
               FROM fcur f LEFT JOIN l ON l.source_fp = f.fingerprint"""
        )
        priced = (f"SELECT *, {counting.MISSING_PRICES_SQL} AS missing_prices,"
                  f" {counting.SAVINGS_BOUND_SQL} AS savings_bound"
                  f" FROM ({cost_columns.split_sql('_flinked')})")
        con.execute(f"CREATE OR REPLACE TEMP TABLE fdoc AS SELECT *, {counting.COUNTED_SQL}"
                    f" AS counted, {counting.COUNT_STATE_SQL} AS count_state,"
                    f" {counting.UNPRICED_REASON_SQL} AS unpriced_reason FROM ({priced})")
        con.execute("DROP VIEW _flinked")
        con.execute("CREATE OR REPLACE TEMP TABLE fmeta AS SELECT * FROM _metas")
    finally:
        con.unregister("_metas")
        con.unregister("_links")
    stages["documents"] = time.perf_counter() - t0  # build_tenant adds the documents' time
    return clock, cur


def build_tenant(con: duckdb.DuckDBPyConnection, tenant: str, cfg: TenantConfig) -> TenantSnapshot:
    """All documents of one tenant's snapshot set, from the tables loaded in `con`."""
    stages: dict[str, float] = {}
    clock, cur = counted_findings(con, tenant, cfg, stages)
    t0 = time.perf_counter()
    mark, version = watermark(con, tenant)
    as_of = iso(clock.as_of)
    header = {"tenant_id": tenant, "as_of": as_of,
              "watermark": {"offsets": dict(mark.offsets), "files": len(mark.files)}}
    cur_info = {"cur_available": cur.cur_available, "cur_as_of": cur.cur_as_of,
                "facts_files": cur.facts_files}
    runs = documents.tenant_runs(con, tenant, "tfindings", "tscans")
    docs = {
        "findings.json": documents.finding_rows_json(con, "fdoc"),
        "summary.json": documents.summary(con, "fdoc", "fmeta", header, runs),
        "top_savings.json": documents.finding_rows_json(
            con, "fdoc", where="counted AND estimated_monthly_savings > 0",  # $0.00 is listed, not a top saving
            order="estimated_monthly_savings DESC, fingerprint", limit=cfg.top_n),
        "correlated_findings.json": documents.finding_rows_json(
            con, "fmeta", order="estimated_monthly_savings DESC NULLS LAST, fingerprint"),
        "coverage.json": documents.coverage(con, "fdoc", header, cur_info),
        "scans.json": documents.scans(con, tenant, header, "tscans"),
        "trend.json": documents.trend(con, tenant, header, "tfindings", "tscans", "fdoc",
                                      runs),
    }
    realized = realized_json(con, "fdoc", cfg.facts_dir, tenant, None)
    docs["realized.json"] = realized.raw
    stages["documents"] += time.perf_counter() - t0
    states = (lifecycle_events.current_states(con, "fcur", realized.findings_view())
              if cfg.states else None)
    for view in ("factive", "tfindings", "tscans"):
        con.execute(f"DROP VIEW IF EXISTS {view}")
    for table in ("fstate", "fcur", "fdoc", "fmeta"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    return TenantSnapshot(tenant, docs, as_of, mark, version, stages,
                          horizon_of(con, tenant, cfg.history), states, clock.as_of)
