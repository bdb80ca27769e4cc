"""Hive-style partitioning and file naming of stored records.

`tenant_id=<t>/dt=<YYYY-MM-DD>/<topic>+<partition>+<first_offset:019d>.parquet`: the date comes
from the record's own time (never the wall clock), the name from where the records came from in
Kafka, so a replay or a retry lands on the same path.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc


def file_name(topic: str, partition: int, first_offset: int) -> str:
    return f"{topic}+{partition}+{first_offset:019d}.parquet"


def partition_dir(root: Path, tenant_id: str, dt: str) -> Path:
    if "/" in tenant_id or tenant_id.startswith("."):
        raise ValueError(f"tenant_id {tenant_id!r} cannot name a directory")
    return root / f"tenant_id={tenant_id}" / f"dt={dt}"


def split_by_partition(table: pa.Table, time_column: str) -> dict[tuple[str, str], pa.Table]:
    """Rows grouped by (tenant_id, UTC day of `time_column`), each group in input order."""
    if table.num_rows == 0:
        return {}
    days = pc.strftime(table[time_column], format="%Y-%m-%d", locale="C")
    keyed = table.append_column("__dt", days)
    groups: dict[tuple[str, str], pa.Table] = {}
    tenants = keyed["tenant_id"].unique().to_pylist()
    for tenant in sorted(tenants):
        t_rows = keyed.filter(pc.equal(keyed["tenant_id"], tenant))
        for day in sorted(t_rows["__dt"].unique().to_pylist()):
            groups[(tenant, day)] = t_rows.filter(pc.equal(t_rows["__dt"], day)).drop_columns(["__dt"])
    return groups
