"""The JSON documents of one tenant's snapshot set, built from the window's DuckDB tables.

Everything a document holds is formatted in SQL (times as `...Z` text through the `iso` macro,
money as 2-decimal strings) and ordered by a unique key, so the bytes depend on the data only.
Totals count a finding once: active (not resolved), not suppressed, and not superseded by a
correlation rule (an exclusive alternative with lower savings, a tuning recommendation on a
resource that should be removed). Meta-findings are reported beside the totals, never in them.
"""

from __future__ import annotations

import json
from typing import Any

import duckdb

from jobs.counting import COUNT_STATES, NOT_EXCLUDED_SQL, UNPRICED_REASONS
from jobs.scan_runs import RunState, run_states
from sinks.snapshots import RawJson

_MONEY_TYPES = ("DECIMAL",)
_TIME_TYPES = ("TIMESTAMP WITH TIME ZONE", "TIMESTAMP")
_EXACT = "attribution_method = 'exact_resource'"


def _select_list(con: duckdb.DuckDBPyConnection, table: str, drop: tuple[str, ...]) -> str:
    cols = []
    for name, typ, *_ in con.execute(f"DESCRIBE {table}").fetchall():
        if name in drop or name.startswith("_"):
            continue
        if typ.startswith(_MONEY_TYPES):
            cols.append(f'CAST("{name}" AS VARCHAR) AS "{name}"')
        elif typ in _TIME_TYPES:
            cols.append(f'iso("{name}") AS "{name}"')
        else:
            cols.append(f'"{name}"')
    return ", ".join(cols)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> list[dict]:
    rows = con.sql(sql, params=params or None).to_arrow_table().to_pylist()
    for row in rows:
        if "tags" in row and isinstance(row["tags"], list):
            row["tags"] = dict(row["tags"])
        if "details" in row and isinstance(row["details"], str):
            row["details"] = json.loads(row["details"])
        for key in ("check_counts", "resources_seen"):
            if isinstance(row.get(key), list):
                row[key] = dict(row[key])
    return rows


def finding_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    *,
    where: str = "TRUE",
    order: str = "fingerprint",
    limit: int | None = None,
    drop: tuple[str, ...] = ("seen_runs",),
) -> list[dict[str, Any]]:
    """Rows of `table` as JSON-ready dicts (formatted in SQL), in a stable order: the readable
    reference that `finding_rows_json` (used for the snapshot lists) must match byte for byte
    after `encode` (pinned by tests/jobs/test_documents.py)."""
    # Rank on the raw columns (the formatted ones are text: "10.00" < "8.00").
    lim = f" WHERE _rn <= {int(limit)}" if limit is not None else ""
    return _rows(con, f"SELECT {_select_list(con, table, drop)} FROM (SELECT *,"
                      f" row_number() OVER (ORDER BY {order}) AS _rn FROM {table}"
                      f" WHERE {where}){lim} ORDER BY _rn")


def _json_member(name: str, typ: str) -> str:
    """SQL for one member of a row's JSON object: money as text, times as `...Z` text, the
    canonical `details` JSON embedded as an object, everything else as DuckDB types it."""
    col = f'"{name}"'
    if name == "details" and typ == "VARCHAR":
        return f"json({col})"
    if typ.startswith(_MONEY_TYPES):
        return f"CAST({col} AS VARCHAR)"
    if typ in _TIME_TYPES:
        return f"iso({col})"
    return col


def finding_rows_json(
    con: duckdb.DuckDBPyConnection,
    table: str,
    *,
    where: str = "TRUE",
    order: str = "fingerprint",
    limit: int | None = None,
    drop: tuple[str, ...] = ("seen_runs",),
) -> RawJson:
    """The same document as `finding_rows`, serialized by DuckDB's `to_json` over a struct
    whose members (and nested struct members) are in sorted order: the canonical encoding,
    without a round trip through Python objects for lists of 100k+ findings."""
    cols = sorted((name, typ) for name, typ, *_ in con.execute(f"DESCRIBE {table}").fetchall()
                  if name not in drop and not name.startswith("_"))
    members = ", ".join(f"'{name}': {_json_member(name, typ)}" for name, typ in cols)
    lim = f" LIMIT {int(limit)}" if limit is not None else ""
    # the only output column is `_json`, so ORDER BY sees the raw (not the formatted) columns
    rows = con.execute(
        f"SELECT CAST(to_json({{{members}}}) AS VARCHAR) AS _json FROM {table} WHERE {where}"
        f" ORDER BY {order}{lim}"
    ).fetchall()
    return RawJson(("[" + ",".join(r[0] for r in rows) + "]\n").encode("utf-8"))


def _money(value: Any) -> str:
    return "0.00" if value is None else str(value)


def _breakdown(con: duckdb.DuckDBPyConnection, table: str, dim: str,
               where: str = "counted") -> dict[str, Any]:
    rows = con.execute(
        f"SELECT {dim}, count(*), CAST(coalesce(sum(estimated_monthly_savings), 0) AS DECIMAL(18,2)),"
        f" CAST(coalesce(sum(actual_cost_30d) FILTER (WHERE {_EXACT}), 0) AS DECIMAL(18,2))"
        f" FROM {table} WHERE {where} GROUP BY {dim} ORDER BY {dim}"
    ).fetchall()
    return {
        str(k): {"count": n, "estimated_monthly_savings": _money(s), "actual_cost_30d": _money(a)}
        for k, n, s, a in rows
    }


def summary(
    con: duckdb.DuckDBPyConnection, table: str, metas: str, header: dict[str, Any],
    runs: list[RunState] | None = None,
) -> dict[str, Any]:
    """Totals by lifecycle state, severity, service, region and account; estimated vs actual."""
    states = dict(con.execute(
        f"SELECT lifecycle_state, count(*) FROM {table} GROUP BY 1 ORDER BY 1").fetchall())
    n_all, n_supp, n_superseded = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE suppressed),"
        f" count(*) FILTER (WHERE superseded AND NOT suppressed AND lifecycle_state <> 'resolved')"
        f" FROM {table}"
    ).fetchall()[0]
    # Actual cost is summed only where billed to the finding's own resource: a scoped roll-up
    # is the whole account/region/service total, repeated on every finding of the scope.
    tot = con.execute(
        f"""SELECT count(*),
                   CAST(coalesce(sum(estimated_monthly_savings), 0) AS DECIMAL(18,2)),
                   count(estimated_monthly_savings),
                   count(*) FILTER (WHERE attribution_method = 'exact_resource'),
                   CAST(coalesce(sum(actual_cost_30d) FILTER (WHERE {_EXACT}), 0)
                        AS DECIMAL(18,2)),
                   CAST(coalesce(sum(actual_cost_mtd) FILTER (WHERE {_EXACT}), 0)
                        AS DECIMAL(18,2)),
                   CAST(coalesce(sum(estimated_monthly_savings) FILTER (WHERE {_EXACT}), 0)
                        AS DECIMAL(18,2)),
                   count(*) FILTER (WHERE attribution_method = 'scoped_rollup')
            FROM {table} WHERE counted"""
    ).fetchall()[0]
    meta_n, meta_s = con.execute(
        f"SELECT count(*), CAST(coalesce(sum(estimated_monthly_savings), 0) AS DECIMAL(18,2))"
        f" FROM {metas}"
    ).fetchall()[0]
    return {
        **header,
        "currency": "USD",
        "findings": {
            "total": n_all,
            "by_lifecycle": {s: states.get(s, 0) for s in ("new", "open", "resolved")},
            "suppressed": n_supp,
            "superseded": n_superseded,
            "counted": tot[0],
        },
        "savings": {
            "estimated_monthly": _money(tot[1]),
            "findings_with_estimate": tot[2],
            "findings_with_actual_cost": tot[3],
            "findings_with_scoped_cost_only": tot[7],
            "actual_cost_30d": _money(tot[4]),
            "actual_cost_mtd": _money(tot[5]),
            "estimated_monthly_where_actual_known": _money(tot[6]),
        },
        "by_severity": _breakdown(con, table, "severity"),
        "by_service": _breakdown(con, table, "service"),
        "by_region": _breakdown(con, table, "region"),
        "by_account": _breakdown(con, table, "account_id"),
        "by_check": _breakdown(con, table, "check_id"),
        "by_status": _breakdown(con, table, "lifecycle_state"),
        # every finding by why it does or does not count ("counted" equals findings.counted)
        "by_count_state": {s: {"count": 0, "estimated_monthly_savings": "0.00",
                               "actual_cost_30d": "0.00"} for s in COUNT_STATES}
        | _breakdown(con, table, "count_state", where="TRUE"),
        "correlated": {"count": meta_n, "estimated_monthly_savings": _money(meta_s)},
        "unpriced_findings": unpriced(con, table),
        # the scan run the headline reflects; a newer one in progress resolves nothing yet
        "scan_runs": latest_runs(runs or []),
    }


def unpriced(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, Any]:
    """What the savings totals leave out or only bound: counted findings without an estimate,
    by reason and by the catalog key (with region) that had no price; lower bounds summed."""
    n = con.execute(f"SELECT count(*) FROM {table} WHERE counted AND unpriced_reason IS NOT NULL"
                    ).fetchall()[0][0]
    reasons = dict(con.execute(
        f"SELECT unpriced_reason, count(*) FROM {table} WHERE counted AND unpriced_reason"
        f" IS NOT NULL GROUP BY 1 ORDER BY 1").fetchall())
    keys = con.execute(
        f"""SELECT k, region, count(*) FROM (SELECT unnest(missing_prices) AS k, region
                FROM {table} WHERE counted AND missing_prices <> []::VARCHAR[]
                  AND (unpriced_reason IS NOT NULL OR savings_bound = 'lower'))
            GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2""").fetchall()
    low_n, low_s = con.execute(
        f"SELECT count(*), CAST(coalesce(sum(estimated_monthly_savings), 0) AS DECIMAL(18,2))"
        f" FROM {table} WHERE counted AND savings_bound = 'lower'").fetchall()[0]
    return {
        "count": n,
        "by_reason": {r: reasons.get(r, 0) for r in UNPRICED_REASONS},
        "missing": [{"key": k, "region": r, "findings": c} for k, r, c in keys],
        "lower_bound": {"count": low_n, "estimated_monthly_savings": _money(low_s)},
    }


def scans(con: duckdb.DuckDBPyConnection, tenant: str, header: dict[str, Any],
          table: str = "scans") -> dict[str, Any]:
    """The latest scan per account/region: status, errors, duration, which checks ran."""
    rows = _rows(
        con,
        f"""SELECT account_id, region, run_id, status, iso(started_at) AS started_at,
                  iso(finished_at) AS finished_at, duration_s, errors, len(errors) AS error_count,
                  check_counts, resources_seen
           FROM {table} WHERE tenant_id = $t
           QUALIFY row_number() OVER (PARTITION BY account_id, region
                   ORDER BY finished_at DESC, run_id DESC, source_topic DESC,
                            source_partition DESC, source_offset DESC) = 1
           ORDER BY account_id, region""",
        {"t": tenant},
    )
    return {**header, "scans": rows}


def trend(con: duckdb.DuckDBPyConnection, tenant: str, header: dict[str, Any],
          findings: str = "findings", scans: str = "scans",
          flags: str | None = None, runs: list[RunState] | None = None) -> dict[str, Any]:
    """Estimated savings reported per scan run, in data-time order, counted as the headline
    counts (jobs.counting): a finding reported in a run counts in that run's point unless it
    is suppressed or superseded (the flags of `flags`, the findings document table; without
    it every reported finding counts). A fingerprint reported twice in a run counts once.
    Each point carries its run's state (jobs.scan_runs): a run still in progress is a running
    sum, not a scan's total, and the page plots it apart from the line."""
    join = (f"LEFT JOIN (SELECT fingerprint, {NOT_EXCLUDED_SQL} AS ok FROM {flags}) d"
            f" USING (fingerprint)" if flags else "")
    ok = "coalesce(d.ok, true)" if flags else "true"
    rows = con.execute(
        f"""WITH per_fp AS (
               SELECT f.run_id, f.fingerprint, max(f.estimated_monthly_savings) AS s,
                      max(f.observed_at) AS seen_at, count(*) AS findings,
                      bool_and({ok}) AS ok
               FROM {findings} f {join} WHERE f.tenant_id = $t GROUP BY f.run_id, f.fingerprint
           ),
           runs AS (
               SELECT run_id, max(seen_at) AS seen_at, sum(findings) AS findings,
                      count(*) AS fingerprints, count(*) FILTER (WHERE ok) AS counted,
                      CAST(coalesce(sum(s) FILTER (WHERE ok), 0) AS DECIMAL(18,2)) AS s
               FROM per_fp GROUP BY run_id
           ),
           ends AS (SELECT run_id, max(finished_at) AS finished_at FROM {scans}
                    WHERE tenant_id = $t GROUP BY run_id)
           SELECT r.run_id, iso(coalesce(e.finished_at, r.seen_at)) AS at, r.findings,
                  r.fingerprints, r.counted, CAST(r.s AS VARCHAR)
           FROM runs r LEFT JOIN ends e USING (run_id)
           ORDER BY coalesce(e.finished_at, r.seen_at), r.run_id""",
        {"t": tenant},
    ).fetchall()
    if runs is None:
        runs = tenant_runs(con, tenant, findings, scans)
    states = {r.run_id: r.to_json() for r in runs}
    points = [
        {"run_id": run, "at": at, "findings": int(n), "fingerprints": int(fps),
         "counted": int(k), "estimated_monthly_savings": s,
         **states.get(run, {"status": "unverified"})}
        for run, at, n, fps, k, s in rows
    ]
    return {**header, "points": points}


def tenant_runs(con: duckdb.DuckDBPyConnection, tenant: str, findings: str,
                scans: str) -> list[RunState]:
    quoted = tenant.replace("'", "''")
    return run_states(con, f"(SELECT * FROM {findings} WHERE tenant_id = '{quoted}')",
                      f"(SELECT * FROM {scans} WHERE tenant_id = '{quoted}')")


def latest_runs(runs: list[RunState]) -> dict[str, Any]:
    """The newest run and, when it is not complete, the one whose findings still stand."""
    if not runs:
        return {"latest": None, "last_complete": None}
    done = [r for r in runs if r.status in ("complete", "unverified")]
    return {"latest": runs[-1].to_json(), "last_complete": done[-1].to_json() if done else None}


def coverage(
    con: duckdb.DuckDBPyConnection,
    table: str,
    header: dict[str, Any],
    cur: dict[str, Any],
) -> dict[str, Any]:
    """CUR availability and how much of the counted findings carry exact/roll-up/no cost."""
    arrow = con.sql(
        f"SELECT attribution_method, estimated_monthly_savings FROM {table} WHERE counted"
        f" ORDER BY fingerprint"
    ).to_arrow_table()
    try:
        from jobs.cur.enrich import coverage as cur_coverage

        figures = cur_coverage(arrow).to_dict()
    except ImportError:
        figures = _own_coverage(con, table)
    return {**header, **cur, **figures}


def _own_coverage(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, Any]:
    rows = con.execute(
        f"SELECT attribution_method, count(*),"
        f" round(coalesce(sum(CAST(estimated_monthly_savings AS DOUBLE)), 0), 2)"
        f" FROM {table} WHERE counted GROUP BY 1 ORDER BY 1"
    ).fetchall()
    n = sum(r[1] for r in rows)
    s = round(sum(r[2] for r in rows), 2)
    return {
        "findings": n,
        "savings": s,
        "by_method": {
            m: {"method": m, "findings": c, "findings_share": round(c / n, 4) if n else 0.0,
                "savings": v, "savings_share": round(v / s, 4) if s else 0.0}
            for m, c, v in rows
        },
    }
