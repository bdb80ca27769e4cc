"""Correlation as a one-shot batch over folders (`finops correlate`), same input as the jobs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from contracts.schema import FINDING_SCHEMA
from jobs.correlation.engine import Rule, run_rules
from jobs.db import connect
from jobs.inputs import findings_table, scans_table
from jobs.tenant import TenantConfig, prepare_active


def correlate_tree(
    findings_dir: Path,
    scans_dir: Path,
    suppressions_dir: Path | None,
    rules: list[Rule],
    tenants: list[str] | None = None,
) -> tuple[pa.Table, list[dict[str, Any]]]:
    """Meta-findings of every (or the given) tenant: FINDING_SCHEMA rows + per-row extras."""
    con = connect()
    try:
        for table in (findings_table(findings_dir), scans_table(scans_dir)):
            table.create(con)
            table.refresh(con)
        found = [r[0] for r in con.execute(
            "SELECT DISTINCT tenant_id FROM findings ORDER BY 1").fetchall()]
        tables, extras = [], []
        cfg = TenantConfig(rules, None, suppressions_dir)
        for tenant in found:
            if tenants and tenant not in tenants:
                continue
            clock, _ = prepare_active(con, tenant, cfg, {})
            result = run_rules(con, "factive", tenant, clock.as_of, rules)
            tables.append(result.table)
            extras += result.extra
        if not tables:
            return FINDING_SCHEMA.empty_table(), extras
        table = pa.concat_tables(tables)
        # one file, one unique sort key: offsets numbered across tenants (tenant, fingerprint)
        at = FINDING_SCHEMA.get_field_index("source_offset")
        offsets = pa.array(range(table.num_rows), pa.int64())
        return table.set_column(at, FINDING_SCHEMA.field(at), offsets), extras
    finally:
        con.close()
