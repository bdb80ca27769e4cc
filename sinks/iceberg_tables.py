"""The Iceberg tables findings and scans land in, and the catalog that names them.

Both tables are derived from the one Arrow schema of `contracts/` (a test keeps the table schema
and the Arrow schema in agreement), partitioned like the Parquet layout: by tenant, then by the UTC
day of the record's own time (`identity(tenant_id)`, `day(observed_at)` / `day(finished_at)`).

The catalog is configuration: when pyiceberg's own configuration (`~/.pyiceberg.yaml` or
`PYICEBERG_CATALOG__FINOPS__*` variables) defines a catalog named `finops` (REST, Glue, Hive,
SQL on PostgreSQL, ...), that one is used; otherwise an embedded SQL catalog on SQLite under the
data dir (`<root>/catalog.db`, data and metadata files under `<root>/warehouse`).

Exactly once lives in the snapshots: every commit of the stream carries, in its snapshot summary,
the next Kafka offset of every partition the table holds (`finops.kafka.offsets.<topic>`, JSON
partition -> offset), the approach of the Kafka Connect Iceberg sink.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from contracts.scan_schema import SCAN_SCHEMA
from contracts.schema import FINDING_SCHEMA

if TYPE_CHECKING:
    from pyiceberg.catalog import Catalog
    from pyiceberg.partitioning import PartitionSpec
    from pyiceberg.schema import Schema
    from pyiceberg.table import Table

CATALOG_NAME = "finops"
NAMESPACE = "finops"
OFFSETS_PREFIX = "finops.kafka.offsets."
# the stream's offset grid (`--chunk-records`): lets a reader name rows by the Parquet file they
# would be in (`jobs.iceberg_inputs`)
CHUNK_RECORDS_KEY = "finops.kafka.chunk-records"

# Keep metadata small under frequent commits: old metadata.json files are deleted as they go.
# No retries inside pyiceberg: its retry re-applies the same rows and the same (stale) offsets on
# top of a concurrent commit; the sink retries itself, re-reading the offsets (`IcebergSink`).
TABLE_PROPERTIES = {
    "commit.retry.num-retries": "0",
    "write.metadata.delete-after-commit.enabled": "true",
    "write.metadata.previous-versions-max": "20",
    "write.parquet.compression-codec": "zstd",
}


@dataclass(frozen=True)
class TableSpec:
    name: str
    schema: pa.Schema
    time_column: str  # second partition: day() of a timestamp, or a text period as it is

    @property
    def identifier(self) -> str:
        return f"{NAMESPACE}.{self.name}"


FINDINGS = TableSpec("findings", FINDING_SCHEMA, "observed_at")
SCANS = TableSpec("scans", SCAN_SCHEMA, "finished_at")
TABLES = {spec.name: spec for spec in (FINDINGS, SCANS)}


def open_catalog(root: Path) -> Catalog:
    """pyiceberg's configured `finops` catalog, else the embedded SQLite catalog under `root`."""
    from pyiceberg.catalog import load_catalog
    from pyiceberg.utils.config import Config

    configured = Config().get_catalog_config(CATALOG_NAME)  # read now: pyiceberg caches its own at import
    if configured:
        return load_catalog(CATALOG_NAME, **{k: str(v) for k, v in configured.items()})
    root = root.resolve()
    (root / "warehouse").mkdir(parents=True, exist_ok=True)
    return load_catalog(
        CATALOG_NAME,
        type="sql",
        uri=f"sqlite:///{root / 'catalog.db'}",
        warehouse=f"file://{root / 'warehouse'}",
    )


def iceberg_schema(schema: pa.Schema) -> Schema:
    """The Iceberg schema of an Arrow schema, with fresh field ids (1..n, depth first)."""
    from pyiceberg.io.pyarrow import _ConvertToIcebergWithoutIDs, visit_pyarrow
    from pyiceberg.schema import assign_fresh_schema_ids

    return assign_fresh_schema_ids(visit_pyarrow(schema, _ConvertToIcebergWithoutIDs()))


def partition_spec(schema: Schema, time_column: str) -> PartitionSpec:
    """`identity(tenant_id)`, then `day(time_column)` for a timestamp, or `identity(time_column)`
    for a period already spelled as text (a bill's `billing_month`)."""
    from pyiceberg.partitioning import PartitionField, PartitionSpec
    from pyiceberg.transforms import DayTransform, IdentityTransform
    from pyiceberg.types import StringType

    period = schema.find_field(time_column)
    by_value = isinstance(period.field_type, StringType)
    return PartitionSpec(
        PartitionField(schema.find_field("tenant_id").field_id, 1000, IdentityTransform(), "tenant_id"),
        PartitionField(period.field_id, 1001, IdentityTransform() if by_value else DayTransform(),
                       time_column if by_value else "dt"),
    )


def ensure_table(catalog: Catalog, spec: TableSpec) -> Table:
    """Load the table, creating namespace and table on first use (safe against a concurrent creator)."""
    from pyiceberg.exceptions import NamespaceAlreadyExistsError, TableAlreadyExistsError

    try:
        catalog.create_namespace(NAMESPACE)
    except NamespaceAlreadyExistsError:
        pass
    if catalog.table_exists(spec.identifier):
        return _with_properties(catalog.load_table(spec.identifier))
    schema = iceberg_schema(spec.schema)
    try:
        return catalog.create_table(
            spec.identifier,
            schema=schema,
            partition_spec=partition_spec(schema, spec.time_column),
            properties=TABLE_PROPERTIES,
        )
    except TableAlreadyExistsError:
        return catalog.load_table(spec.identifier)


def _with_properties(table: Table) -> Table:
    """A table created elsewhere gets the properties the sink relies on (one commit, once)."""
    missing = {k: v for k, v in TABLE_PROPERTIES.items() if table.properties.get(k) != v}
    if missing:
        with table.transaction() as tx:
            tx.set_properties(missing)
    return table


def offsets_key(topic: str) -> str:
    return OFFSETS_PREFIX + topic


def committed_offsets(table: Table, topic: str) -> dict[int, int]:
    """partition -> next offset the table holds for `topic`: from the newest snapshot (walking back
    through its ancestors) whose summary carries them; {} for a table the stream never wrote."""
    from pyiceberg.table.snapshots import ancestors_of

    key = offsets_key(topic)
    for snapshot in ancestors_of(table.current_snapshot(), table.metadata):
        summary = snapshot.summary
        value = summary.additional_properties.get(key) if summary is not None else None
        if value is not None:
            try:
                return {int(p): int(o) for p, o in json.loads(value).items()}
            except (ValueError, AttributeError) as exc:
                raise ValueError(
                    f"{table.name()}: snapshot {snapshot.snapshot_id} has a bad {key}: {value!r}"
                ) from exc
    return {}


def offsets_properties(table: Table) -> dict[str, str]:
    """Every `finops.kafka.offsets.*` property (and the grid) as the current lineage holds it (newest wins): what
    a maintenance commit (compaction) must carry forward."""
    from pyiceberg.table.snapshots import ancestors_of

    found: dict[str, str] = {}
    for snapshot in ancestors_of(table.current_snapshot(), table.metadata):
        if snapshot.summary is None:
            continue
        for key, value in snapshot.summary.additional_properties.items():
            if key.startswith(OFFSETS_PREFIX) or key == CHUNK_RECORDS_KEY:
                found.setdefault(key, value)
    return found


def read_table(table: Table, schema: pa.Schema) -> pa.Table:
    """Every row of the current snapshot, as the contract's Arrow schema."""
    return table.scan().to_arrow().select(schema.names).cast(schema)
