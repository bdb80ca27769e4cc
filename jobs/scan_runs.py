"""Whole scan runs: which (account, region) scopes of a run have been fully stored.

The stream stores findings and scan summaries from two topics, in independent micro-batches, so
a window can see a scope's summary before all of that scope's findings (the summary names how
many each check found: `check_counts`), or some findings of a run whose other scopes have not
reported yet. Reading such a window as a finished scan made the headline dip mid-scan: the
summary "resolved" every finding not yet stored. So:

- a check's scan of a scope *proves* something (may resolve findings) only once its summary is
  stored and at least `check_counts[check]` of its findings are (`PROVEN_CHECKS_SQL`, used by
  the lifecycle); until then the previous sightings stand;
- a run is `complete` when each of its scopes is (summary + all findings stored) and it covers
  every scope of the run before it that shares a scope with it (a scanner scans the same
  scopes each round); `in_progress` while not, and `incomplete` once a later run has completed
  a scope and this one still is not (abandoned by a stop, or a finding was dead-lettered);
  `unverified` when the tenant has no summary at all (a producer that sends none): nothing
  can tell, and its point is shown as before.

Everything is a function of the stored rows (no clock), so a replay gives the same states.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

RUN_STATES = ("complete", "in_progress", "incomplete", "unverified")

# One row per (run, account, region, check) a stored summary names, with how many findings it
# reported and how many are stored. `{findings}` / `{scans}` are relations of one tenant.
_CHECKS_SQL = """
    SELECT s.run_id, s.account_id, s.region, s.check_id, s.expected, s.status,
           s.started_at, s.finished_at, coalesce(st.n, 0) AS stored
    FROM (SELECT run_id, account_id, region, status, started_at, finished_at,
                 unnest(map_keys(check_counts)) AS check_id,
                 unnest(map_values(check_counts)) AS expected
          FROM {scans}) s
    LEFT JOIN (SELECT run_id, account_id, region, check_id, count(*) AS n FROM {findings}
               WHERE run_id <> '' GROUP BY ALL) st
      USING (run_id, account_id, region, check_id)
"""


def proven_checks_sql(findings: str, scans: str) -> str:
    """SELECT of the (run, account, region, check) scans whose findings are all stored."""
    return f"SELECT * FROM ({_CHECKS_SQL.format(findings=findings, scans=scans)})" \
           f" WHERE stored >= expected"


@dataclass(frozen=True, slots=True)
class RunState:
    run_id: str
    status: str
    scopes: int  # (account, region) scopes the run has data of, or should have
    scopes_reported: int  # ... whose summary is stored
    scopes_complete: int  # ... whose summary and every finding are stored
    findings_reported: int  # sum of the stored summaries' check_counts
    findings_stored: int  # rows stored under those summaries' checks

    def to_json(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "status": self.status, "scopes": self.scopes,
                "scopes_reported": self.scopes_reported, "scopes_complete": self.scopes_complete,
                "findings_reported": self.findings_reported,
                "findings_stored": self.findings_stored}


def run_states(con: duckdb.DuckDBPyConnection, findings: str, scans: str) -> list[RunState]:
    """Every run of the tenant's relations, in start order (oldest first), with its state."""
    latest_scans = (f"(SELECT * FROM {scans} QUALIFY row_number() OVER (PARTITION BY run_id,"
                    " account_id, region ORDER BY finished_at DESC, source_topic DESC,"
                    " source_partition DESC, source_offset DESC) = 1)")
    checks = _CHECKS_SQL.format(findings=findings, scans=latest_scans)
    rows = con.execute(f"""
        WITH checks AS ({checks}),
        reported AS (
            SELECT s.run_id, s.account_id, s.region, s.started_at,
                   coalesce(bool_and(c.stored >= c.expected), true) AS complete,
                   coalesce(sum(c.expected), 0) AS expected,
                   coalesce(sum(least(c.stored, c.expected)), 0) AS stored
            FROM {latest_scans} s
            LEFT JOIN checks c USING (run_id, account_id, region)
            GROUP BY ALL
        ),
        seen AS (SELECT run_id, account_id, region, min(observed_at) AS first_at FROM {findings}
                 WHERE run_id <> '' GROUP BY ALL),
        scopes AS (
            SELECT run_id, account_id, region, least(r.started_at, s.first_at) AS first_at,
                   r.run_id IS NOT NULL AS reported, coalesce(r.complete, false) AS complete,
                   coalesce(r.expected, 0) AS expected, coalesce(r.stored, 0) AS stored
            FROM reported r FULL OUTER JOIN seen s USING (run_id, account_id, region)
        )
        SELECT run_id, min(first_at), list(account_id || '/' || region ORDER BY account_id,
               region), list(reported ORDER BY account_id, region),
               list(complete ORDER BY account_id, region), sum(expected), sum(stored)
        FROM scopes GROUP BY run_id ORDER BY min(first_at), run_id""").fetchall()
    out: list[RunState] = []
    runs: list[tuple[str, dict[str, tuple[bool, bool]], int, int]] = []
    for run_id, _at, keys, reported, complete, expected, stored in rows:
        runs.append((run_id, {k: (r, c) for k, r, c in zip(keys, reported, complete,
                                                             strict=True)},
                     int(expected), int(stored)))
    summaries = any(r for _, s, _, _ in runs for r, _ in s.values())
    # one pass each way (a tenant may hold thousands of runs): the scopes some later run has
    # completed, and per scope the last earlier run that covered it
    done_after: list[set[str]] = [set() for _ in runs]
    done: set[str] = set()
    for i in range(len(runs) - 1, -1, -1):
        done_after[i] = set(done)
        done |= {k for k, (_, c) in runs[i][1].items() if c}
    last_run: dict[str, int] = {}
    for i, (run_id, scopes, expected, stored) in enumerate(runs):
        before = [last_run[k] for k in scopes if k in last_run]
        prev = runs[max(before)][1] if before else {}
        for k in scopes:
            last_run[k] = i
        want = set(scopes) | set(prev)
        n_reported = sum(r for r, _ in scopes.values())
        n_complete = sum(c for _, c in scopes.values())
        if not summaries:
            status = "unverified"
        elif n_complete == len(want):
            status = "complete"
        else:
            status = "incomplete" if want & done_after[i] else "in_progress"
        out.append(RunState(run_id, status, len(want), n_reported, n_complete, expected, stored))
    return out
