"""The normalized cost facts as the Iceberg table `finops.cost_facts`, beside the findings.

Why: an engine that reads the catalog (Trino, Spark, Athena) can then join findings with the bill
without knowing this project's folder layout. The table is a copy of `data/cur_facts/`
(`jobs.cur.normalize`, still the source of truth), with the same schema (`FACTS_SCHEMA`) and the
same partitions (`identity(tenant_id)`, `identity(billing_month)`). Publishing overwrites exactly
the (tenant, month) partitions found in the folder, one atomic commit each, so a re-run leaves the
same rows and a month re-normalized replaces its old rows, never adds to them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq

from jobs.cur.facts_schema import FACTS_SCHEMA
from sinks.iceberg_tables import TableSpec, ensure_table

if TYPE_CHECKING:
    from pyiceberg.catalog import Catalog

log = logging.getLogger(__name__)

COST_FACTS = TableSpec("cost_facts", FACTS_SCHEMA, "billing_month")


@dataclass(frozen=True)
class PublishedMonth:
    tenant_id: str
    billing_month: str
    rows: int
    files: int


def facts_months(facts_dir: Path) -> dict[tuple[str, str], list[Path]]:
    """(tenant, month) -> the Parquet files of `facts_dir` (`tenant_id=T/billing_month=M/*.parquet`)."""
    months: dict[tuple[str, str], list[Path]] = {}
    for path in sorted(facts_dir.glob("tenant_id=*/billing_month=*/*.parquet")):
        if path.name.startswith("."):
            continue  # a writer's temporary
        tenant = path.parent.parent.name.removeprefix("tenant_id=")
        month = path.parent.name.removeprefix("billing_month=")
        months.setdefault((tenant, month), []).append(path)
    return months


def publish_facts(catalog: Catalog, facts_dir: Path) -> list[PublishedMonth]:
    """Overwrite each (tenant, month) partition of `finops.cost_facts` with the rows of
    `facts_dir`; partitions absent from the folder are left as they are."""
    table = ensure_table(catalog, COST_FACTS)
    done = []
    for (tenant, month), files in sorted(facts_months(Path(facts_dir)).items()):
        try:
            rows = pa.concat_tables([pq.read_table(p, schema=FACTS_SCHEMA) for p in files])
        except (OSError, pa.ArrowInvalid) as exc:
            raise RuntimeError(f"{facts_dir}: cannot read the facts of {tenant}/{month}: {exc}") from exc
        bad = {v for v in rows.column("tenant_id").unique().to_pylist() if v != tenant} | {
            v for v in rows.column("billing_month").unique().to_pylist() if v != month}
        if bad:
            raise ValueError(f"{files[0]}: rows of {sorted(bad)} under tenant_id={tenant}/billing_month={month}")
        where = f"tenant_id = '{_quoted(tenant)}' AND billing_month = '{_quoted(month)}'"
        table.overwrite(rows, overwrite_filter=where,
                        snapshot_properties={"finops.cost_facts.partition": f"{tenant}/{month}"})
        done.append(PublishedMonth(tenant, month, rows.num_rows, len(files)))
        log.info("cost facts published", extra={"table": table.name(), "tenant_id": tenant,
                                                 "billing_month": month, "rows": rows.num_rows})
    return done


def _quoted(value: str) -> str:
    return value.replace("'", "''")
