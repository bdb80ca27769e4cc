"""The enrichment as a batch job over folders: `data/findings/` -> `data/finops_findings_enriched/`.

Every findings file gets one enriched file at the same relative path (same tenant/dt partition and
topic+partition+offset name), rows in the same order: a replay of the findings replays the enriched
output, and a file whose enrichment did not change is not rewritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from contracts.schema import FINDING_SCHEMA
from jobs.cur.enrich import ENRICHED_SCHEMA, enrich_findings
from jobs.cur.parquet_io import write_if_changed


@dataclass(slots=True)
class EnrichReport:
    files_written: list[str] = field(default_factory=list)
    files_unchanged: list[str] = field(default_factory=list)
    findings: int = 0
    as_of: str = ""


def enrich_tree(
    findings_dir: Path, facts_dir: Path, output_dir: Path, as_of: datetime | None = None
) -> EnrichReport:
    findings_dir, output_dir = Path(findings_dir), Path(output_dir)
    report = EnrichReport()
    files = sorted(p for p in findings_dir.rglob("*.parquet") if not p.name.startswith("."))
    if not files:
        return report
    tables = []
    for i, path in enumerate(files):
        t = ds.dataset(path, format="parquet", schema=FINDING_SCHEMA, partitioning=None).to_table()
        tables.append(t.append_column("__file", pa.array([i] * t.num_rows, pa.int32())))
    combined = pa.concat_tables(tables)
    enriched = enrich_findings(combined.drop_columns(["__file"]), facts_dir, as_of)
    report.findings = enriched.num_rows
    report.as_of = (enriched.schema.metadata or {}).get(b"finops.cur_as_of", b"").decode()
    file_no = combined.column("__file")
    for i, path in enumerate(files):
        part = enriched.filter(pc.equal(file_no, i))
        rel = path.relative_to(findings_dir).as_posix()
        changed = write_if_changed(
            part, output_dir / rel, ENRICHED_SCHEMA.with_metadata(enriched.schema.metadata)
        )
        (report.files_written if changed else report.files_unchanged).append(rel)
    return report
