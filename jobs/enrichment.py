"""Actual cost for the current findings, through the CUR issue's `enrich_findings`.

CUR is enrichment, never a requirement: when the module, the facts or the call fail, findings
pass through with `attribution_method = none` and null costs, and the failure is logged with the
tenant, so the window still publishes its snapshots.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from contracts.schema import FINDING_SCHEMA, MONEY
from jobs.facts_cache import cached

log = logging.getLogger(__name__)

ENRICHMENT_COLUMNS: list[pa.Field] = [
    pa.field("actual_cost_7d", MONEY),
    pa.field("actual_cost_30d", MONEY),
    pa.field("actual_cost_mtd", MONEY),
    pa.field("actual_cost_prev_month", MONEY),
    pa.field("actual_currency", pa.string()),
    pa.field("attribution_method", pa.string()),
    pa.field("attribution_confidence", pa.float64()),
]


@dataclass(frozen=True, slots=True)
class Enriched:
    columns: pa.Table  # ENRICHMENT_COLUMNS, same row order as the input
    cur_available: bool
    cur_as_of: str | None
    facts_files: int


def _none(n: int) -> pa.Table:
    return pa.table({
        "actual_cost_7d": pa.nulls(n, MONEY),
        "actual_cost_30d": pa.nulls(n, MONEY),
        "actual_cost_mtd": pa.nulls(n, MONEY),
        "actual_cost_prev_month": pa.nulls(n, MONEY),
        "actual_currency": pa.nulls(n, pa.string()),
        "attribution_method": pa.array(["none"] * n, pa.string()),
        "attribution_confidence": pa.array([0.0] * n, pa.float64()),
    })


def enrich(findings: pa.Table, facts_dir: Path | None, tenant: str) -> Enriched:
    """Enrichment columns for `findings` (FINDING_SCHEMA columns at least), row for row."""
    n = findings.num_rows
    if facts_dir is None or not facts_dir.is_dir():
        return Enriched(_none(n), False, None, 0)
    try:
        from jobs.cur.enrich import enrich_findings, facts_aggregates
    except ImportError as exc:
        log.warning("CUR enrichment unavailable", extra={"tenant": tenant, "error": str(exc)})
        return Enriched(_none(n), False, None, 0)
    try:
        files = sorted(p for p in facts_dir.rglob("*.parquet") if not p.name.startswith("."))
        if not files:
            return Enriched(_none(n), False, None, 0)
        # the facts' roll-ups once per state of the facts, not once per tenant and window
        aggregates = cached("cur_aggregates", facts_dir, lambda: facts_aggregates(facts_dir))
        out = enrich_findings(findings.select(FINDING_SCHEMA.names), facts_dir,
                              aggregates=aggregates)
        cols = pa.table({f.name: out.column(f.name).cast(f.type) for f in ENRICHMENT_COLUMNS})
        as_of = (out.schema.metadata or {}).get(b"finops.cur_as_of", b"").decode() or None
        return Enriched(cols, True, as_of, len(files))
    except Exception as exc:  # enrichment must never stop the window
        log.warning("CUR enrichment failed; passing findings through",
                    extra={"tenant": tenant, "facts_dir": str(facts_dir), "error": str(exc)})
        return Enriched(_none(n), False, None, 0)
