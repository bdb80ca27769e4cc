"""`realized.json` of a snapshot set, encoded without a Python object per finding.

Only a resolved finding can have a realized figure (jobs/realized.py measures it on the bill),
so only the resolved rows go through `measure`; every other row's entry is a function of its
columns alone (estimate only, method `none`) and is formatted by DuckDB, as `report` would write
it. The document is `report`'s, with the findings list spliced in as canonical JSON text (sorted
keys, compact, the bytes `sinks.snapshots.encode` writes: pinned by tests/jobs/test_realized.py).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from jobs.documents import unpriced
from jobs.realized import facts_end, generated_bill, measure, report
from sinks.snapshots import RawJson, encode

log = logging.getLogger(__name__)

_SPLICE = "\x00realized findings\x00"  # encodes as "\u0000...": no finding value can equal it


def _text(col: str) -> str:
    """`str(value)` (Python writes None as "None" there)."""
    return f"coalesce(CAST({col} AS VARCHAR), 'None')"


def _iso(col: str) -> str:
    """`datetime.isoformat()` of a UTC timestamp: microseconds only when not zero."""
    return (f"CASE WHEN strftime({col}, '%f') = '000000'"
            f" THEN strftime({col}, '%Y-%m-%dT%H:%M:%S+00:00')"
            f" ELSE strftime({col}, '%Y-%m-%dT%H:%M:%S.%f+00:00') END")


# One unmeasured entry as `report`'s `_plain(item)` encodes it: members in sorted order,
# serialized by DuckDB's `to_json` (as documents.finding_rows_json does for the lists).
_ENTRY = {
    "account_id": _text("account_id"), "after_period": "NULL", "before_period": "NULL",
    "check_id": _text("check_id"), "confidence": "0.0::DOUBLE", "cost_per_day_after": "NULL",
    "cost_per_day_before": "NULL", "days_after": "0", "days_before": "0",
    "estimated_monthly": "CAST(CAST(estimated_monthly_savings AS DECIMAL(18,2)) AS VARCHAR)",
    "fingerprint": _text("fingerprint"), "first_seen": _iso("first_seen"),
    "last_seen": _iso("last_seen"), "method": "'none'", "realized_monthly": "NULL",
    "realized_to_date": "NULL", "region": _text("region"), "resolved_at": _iso("resolved_at"),
    "resource_id": "resource_id", "state": _text("lifecycle_state"),
}
_ENTRY_SQL = ("CAST(to_json({" + ", ".join(f"'{k}': {v}" for k, v in sorted(_ENTRY.items()))
              + "}) AS VARCHAR)")


@dataclass(frozen=True, slots=True)
class RealizedDoc:
    raw: RawJson  # realized.json, as written
    measured: list[dict[str, Any]]  # the resolved findings' entries (realized figure or not)

    def findings_view(self) -> dict[str, Any]:
        """What `lifecycle_events.current_states` reads: every entry that can carry a figure."""
        return {"findings": self.measured}


def realized_json(con: duckdb.DuckDBPyConnection, table: str, facts_dir: Path | None,
                  tenant: str, as_of: datetime | None) -> RealizedDoc:
    """`realized.json` of a snapshot set, from the window's per-fingerprint table."""
    have = {d[0] for d in con.execute(f"SELECT * FROM {table} LIMIT 0").description}
    cols = ("fingerprint, check_id, resource_id, account_id, region, lifecycle_state, "
            "first_seen, last_seen, resolved_at, estimated_monthly_savings")
    if "details" in have:
        cols += ", details"
    names = [c.strip() for c in cols.split(",")]
    rows = con.execute(f"SELECT {cols} FROM {table} WHERE lifecycle_state = 'resolved'"
                       " ORDER BY fingerprint").fetchall()
    resolved = [dict(zip(names, r, strict=True)) for r in rows]
    generated = False
    try:
        end = as_of or facts_end(facts_dir, tenant)
        items = measure(resolved, facts_dir, tenant, end)
        generated = generated_bill(facts_dir, tenant)
    except (duckdb.Error, OSError) as exc:  # the bill refines the view; it never stops it
        log.warning("realized savings unavailable", extra={"tenant": tenant, "error": str(exc)})
        end, items = as_of, measure(resolved, None, tenant, as_of)
    counted = "counted" in have  # the window's table: the estimate open is what the headline counts
    doc = {**report(tenant, items, end), "bill_generated_for_demo": generated}
    doc["estimated_open_monthly"] = con.execute(
        f"SELECT CAST(coalesce(sum(CAST(estimated_monthly_savings AS DECIMAL(18,2))), 0.00)"
        f" AS DECIMAL(38,2))::VARCHAR FROM {table} WHERE lifecycle_state IS DISTINCT FROM"
        f" 'resolved'{' AND counted' if counted else ''}").fetchall()[0][0]
    if "unpriced_reason" in have:  # what the estimate open leaves out, as the headline says it
        doc["unpriced_findings"] = unpriced(con, table)
    measured = doc.pop("findings")
    doc["findings"] = _SPLICE
    head, tail = encode(doc).split(json.dumps(_SPLICE).encode(), 1)
    return RealizedDoc(RawJson(head + _entries(con, table, measured) + tail), measured)


def _entries(con: duckdb.DuckDBPyConnection, table: str, measured: list[dict[str, Any]]) -> bytes:
    """The findings list: the measured entries as `encode` writes them, the others from SQL,
    all in fingerprint order."""
    con.register("_realized_measured", pa.table({
        "fingerprint": pa.array([m["fingerprint"] for m in measured], pa.string()),
        "js": pa.array([encode(m)[:-1].decode("utf-8") for m in measured], pa.string())}))
    try:
        rows = con.execute(
            f"""SELECT js FROM (
                  SELECT fingerprint, {_ENTRY_SQL} AS js FROM {table}
                  WHERE lifecycle_state IS DISTINCT FROM 'resolved'
                  UNION ALL SELECT fingerprint, js FROM _realized_measured)
                ORDER BY fingerprint""").fetchall()
    finally:
        con.unregister("_realized_measured")
    return ("[" + ",".join(r[0] for r in rows) + "]").encode("utf-8")


def realized_document(con: duckdb.DuckDBPyConnection, table: str, facts_dir: Path | None,
                      tenant: str, as_of: datetime | None) -> dict[str, Any]:
    """`realized.json` as a document (the `finops savings report` view)."""
    return json.loads(realized_json(con, table, facts_dir, tenant, as_of).raw)

