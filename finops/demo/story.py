"""The demo's bill and its one act of remediation: bill the estate, let the scans run, fix a
share of the waste, re-bill, so the next scans resolve those findings and the dashboard shows
what the fix saved on the (generated) bill beside what was estimated."""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb

log = logging.getLogger(__name__)
PROJECT_DAYS = 8  # days after the fix on the bill: 7 full days to measure, confidence 0.9


def bill_dir(data: Path, tenant: str) -> Path:
    return data / "raw_cur" / f"tenant_id={tenant}" / "estate-bill"


def reset(data: Path, tenant: str) -> None:
    """A new estate starts: its ledger and remediations of an earlier run no longer apply, and
    the Workshop sample older demos mapped in would mix with the estate's own bill."""
    for stale in (data / "estate" / "bill-ledger.json", data / "estate" / "remediations.json",
                  data / "raw_cur" / f"tenant_id={tenant}" / "workshop.parquet"):
        stale.unlink(missing_ok=True)


def bill(data: Path, manifest: Path, tenant: str, project_days: int = 0) -> int:
    """`finops estate bill` then `finops cur normalize`; 0 on success."""
    from finops.cli import main as finops_main

    argv = ["estate", "bill", "--manifest", str(manifest), "--out", str(bill_dir(data, tenant))]
    if project_days:
        argv += ["--project-days", str(project_days)]
    rc = finops_main(argv)
    return rc or finops_main(["cur", "normalize", "--input", str(data / "raw_cur"), "--output",
                              str(data / "cur_facts"), "--tenant", tenant])


def completed_rounds(scans: Path, cells: int) -> int:
    """Scan rounds whose summaries have all arrived (one per account x region)."""
    files = sorted(str(p) for p in scans.rglob("*.parquet"))
    if not files:
        return 0
    try:
        row = duckdb.connect().execute(
            "SELECT count(*) FROM (SELECT run_id FROM read_parquet(?, union_by_name = true) "
            "GROUP BY run_id HAVING count(DISTINCT (account_id, region)) >= ?)",
            [files, cells]).fetchall()[0]
    except duckdb.Error as exc:  # a file being renamed into place: ask again next time
        log.debug("scan rounds unreadable", extra={"error": str(exc)})
        return 0
    return int(row[0])


def remediate(data: Path, manifest: Path, tenant: str, share: float) -> dict:
    """Fix `share` of each waste kind (recorded for the bill), then re-bill `PROJECT_DAYS` ahead."""
    from estate.ledger import append_remediation
    from estate.manifest import Manifest
    from estate.remediate import ledger_run
    from estate.remediate import remediate as fix

    m = Manifest.read(manifest)
    result = fix(m.endpoint, m.waste, share)
    append_remediation(manifest.with_name("remediations.json"), ledger_run(result))
    rc = bill(data, manifest, tenant, PROJECT_DAYS)
    log.info("remediated", extra={"fixed": len(result.fixed), "failed": len(result.failed),
                                  "bill_rc": rc})
    return {"rc": rc, "fixed": len(result.fixed), "failed": len(result.failed)}
