"""One way to open DuckDB for the jobs: UTC session, bounded threads, the shared SQL macros.

Every job formats times in SQL (`strftime`) and compares them with data times, so the session
time zone must be UTC regardless of the host, or two machines would write different snapshots.
"""

from __future__ import annotations

import duckdb

# Macros the correlation rules may use; kept here so rule validation and execution see the same.
MACROS = (
    # A string field of a finding's `details` JSON (NULL when absent).
    "CREATE OR REPLACE MACRO detail(d, k) AS json_extract_string(d, '$.\"' || k || '\"')",
    # The bare id at the end of an ARN: arn:aws:ec2:r:a:instance/i-1 -> i-1.
    "CREATE OR REPLACE MACRO arn_id(arn) AS regexp_extract(arn, '[:/]([^:/]+)$', 1)",
    # A list-valued detail: a JSON array of strings, or a comma-separated string.
    "CREATE OR REPLACE MACRO detail_list(d, k) AS CASE"
    " WHEN detail(d, k) IS NULL THEN []::VARCHAR[]"
    " WHEN starts_with(trim(detail(d, k)), '[') THEN CAST(json_extract_string(d, '$.\"' || k || '\"')"
    " AS JSON)::VARCHAR[]"
    " ELSE list_filter(list_transform(string_split(detail(d, k), ','), lambda x: trim(x)), lambda x: x <> '')"
    " END",
    # Money aggregates: NULL means unknown, so a sum is NULL only when every part is unknown.
    "CREATE OR REPLACE MACRO money_sum(x) AS"
    " CASE WHEN count(x) = 0 THEN NULL ELSE CAST(sum(x) AS DECIMAL(18,2)) END",
    "CREATE OR REPLACE MACRO money_add(a, b) AS CASE WHEN a IS NULL AND b IS NULL THEN NULL"
    " ELSE CAST(coalesce(a, 0) + coalesce(b, 0) AS DECIMAL(18,2)) END",
    # ISO-8601 UTC text of a timestamp (microseconds, trailing Z), NULL-safe.
    "CREATE OR REPLACE MACRO iso(ts) AS strftime(ts, '%Y-%m-%dT%H:%M:%S.%fZ')",
)


def connect(threads: int | None = None, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection configured for deterministic job output."""
    con = duckdb.connect()
    con.execute("SET TimeZone='UTC'")
    if threads:
        con.execute(f"SET threads={int(threads)}")
    if memory_limit:
        con.execute(f"SET memory_limit='{memory_limit}'")
    for macro in MACROS:
        con.execute(macro)
    return con
