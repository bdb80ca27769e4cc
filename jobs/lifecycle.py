"""Finding lifecycle per tenant: new -> open -> resolved, derived from the data alone.

A finding (one fingerprint) is `new` when a single scan run has reported it, `open` once a later
run reports it again, and `resolved` when a completed scan of its scope (same account, region,
and the check actually ran: its id is in `check_counts`) started after the last sighting and did
not report it. Scans that failed, or whose errors touch the finding's scope (same account/region
when given, same check id, or same service when the error names no check), prove nothing and
never resolve. A later sighting re-opens a resolved finding, because it moves `last_seen` past
the resolving scan. A scan proves nothing until its findings are all stored (the summary can
land before them; jobs.scan_runs), so a scan in progress never resolves. The reference time
("as of") is the newest observed_at / finished_at in the tenant's data, never the wall clock,
so a replay computes the same states.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from jobs.scan_runs import proven_checks_sql

# Columns the state table adds to FINDING_SCHEMA (one row per fingerprint, its latest report).
LIFECYCLE_COLUMNS = ("first_seen", "last_seen", "resolved_at", "lifecycle_state", "seen_runs")

_STATE_SQL = """
CREATE OR REPLACE TEMP TABLE {out} AS
WITH f AS NOT MATERIALIZED (  -- a filter, read where used (a materialized copy of every
    -- wide row cost a quarter of the lifecycle's time)
    SELECT * EXCLUDE (_file) FROM {findings} WHERE tenant_id = $tenant
),
agg AS (
    SELECT fingerprint,
           -- the latest report: newest observation, ties by provenance (a unique key)
           max((observed_at, source_topic, source_partition, source_offset)) AS latest_key,
           min(observed_at) AS first_seen,
           max(observed_at) AS last_seen,
           -- runs that reported it; a row without a run id counts as its own sighting
           count(DISTINCT nullif(run_id, ''))
               + count(DISTINCT CASE WHEN run_id = '' THEN observed_at END) AS seen_runs
    FROM f GROUP BY fingerprint
),
latest AS (  -- a hash join on the key, not a sort of every wide row
    SELECT f.* FROM f JOIN agg a
      ON a.fingerprint = f.fingerprint
     AND a.latest_key = (f.observed_at, f.source_topic, f.source_partition, f.source_offset)
),
scan_checks AS (  -- only a check whose findings of the run are all stored (jobs.scan_runs)
    SELECT account_id, region, run_id, started_at, finished_at, check_id
    FROM ({proven}) WHERE status IN ('ok', 'partial')
),
scan_errors AS (
    SELECT run_id, account_id AS scan_account, region AS scan_region,
           e.account_id AS e_account, e.region AS e_region, e.service AS e_service,
           e.check_id AS e_check
    FROM (SELECT run_id, account_id, region, unnest(errors) AS e
          FROM {scans} WHERE tenant_id = $tenant AND status IN ('ok', 'partial'))
),
candidates AS (
    SELECT l.fingerprint, sc.run_id, sc.finished_at
    FROM latest l
    JOIN agg a USING (fingerprint)
    JOIN scan_checks sc
      ON sc.account_id = l.account_id AND sc.region = l.region AND sc.check_id = l.check_id
     AND sc.started_at >= a.last_seen
    WHERE NOT EXISTS (
        SELECT 1 FROM scan_errors se
        WHERE se.run_id = sc.run_id AND se.scan_account = sc.account_id
          AND se.scan_region = sc.region
          AND coalesce(se.e_account, l.account_id) = l.account_id
          AND coalesce(se.e_region, l.region) = l.region
          AND (se.e_check = l.check_id
               OR (se.e_check IS NULL AND coalesce(se.e_service, l.service) = l.service))
    )
),
resolving AS (
    SELECT c.fingerprint, min(c.finished_at) AS resolved_at
    FROM candidates c
    WHERE NOT EXISTS (
        SELECT 1 FROM f WHERE f.fingerprint = c.fingerprint AND f.run_id = c.run_id
    )
    GROUP BY c.fingerprint
)
SELECT l.*, a.first_seen, a.last_seen, r.resolved_at,
       CASE WHEN r.resolved_at IS NOT NULL THEN 'resolved'
            WHEN a.seen_runs = 1 THEN 'new'
            ELSE 'open' END AS lifecycle_state,
       a.seen_runs
FROM latest l JOIN agg a USING (fingerprint) LEFT JOIN resolving r USING (fingerprint)
"""


@dataclass(frozen=True, slots=True)
class TenantClock:
    """The data time a tenant's snapshot reflects (None when the tenant has no data yet)."""

    as_of: datetime | None


def build_state(
    con: duckdb.DuckDBPyConnection,
    tenant: str,
    *,
    findings: str = "findings",
    scans: str = "scans",
    out: str = "fstate",
) -> TenantClock:
    """Create temp table `out`: one row per fingerprint of `tenant` with lifecycle columns."""
    try:
        proven = proven_checks_sql("f", f"(SELECT * FROM {scans} WHERE tenant_id = $tenant)")
        con.execute(_STATE_SQL.format(out=out, findings=findings, scans=scans, proven=proven),
                    {"tenant": tenant})
    except duckdb.Error as exc:
        raise RuntimeError(f"lifecycle for tenant {tenant!r}: {exc}") from exc
    row = con.execute(
        f"SELECT greatest((SELECT max(observed_at) FROM {findings} WHERE tenant_id = $t),"
        f" (SELECT max(finished_at) FROM {scans} WHERE tenant_id = $t))",
        {"t": tenant},
    ).fetchall()[0]
    return TenantClock(as_of=row[0])
