"""The one Arrow schema a stored finding follows: the source of truth for storage.

The Avro wire schema (`schemas/finding.v1.avsc`) is looser (strings, optional fields with
defaults); `contracts.cast` turns wire records into this schema, and a test keeps the two in
agreement field by field. Files are written with exactly this schema, so any Parquet file under
`data/findings/` unions with any other.
"""

from __future__ import annotations

import pyarrow as pa

SCHEMA_VERSION = 1

SEVERITIES = ("info", "low", "medium", "high", "critical")
STATUSES = ("open", "resolved", "suppressed")
ID_MODES = ("stable", "per-run", "per-day")

MONEY = pa.decimal128(18, 2)
TIMESTAMP = pa.timestamp("us", tz="UTC")

# Fields that the wire carries (producer side) in storage order.
WIRE_FIELDS: list[pa.Field] = [
    pa.field("tenant_id", pa.string(), nullable=False),
    pa.field("workspace", pa.string(), nullable=False),
    pa.field("account_id", pa.string(), nullable=False),
    pa.field("region", pa.string(), nullable=False),
    pa.field("service", pa.string(), nullable=False),
    pa.field("check_id", pa.string(), nullable=False),
    pa.field("resource_type", pa.string(), nullable=False),
    pa.field("resource_id", pa.string(), nullable=False),
    pa.field("resource_name", pa.string(), nullable=True),
    pa.field("scope", pa.string(), nullable=False),
    pa.field("title", pa.string(), nullable=False),
    pa.field("severity", pa.string(), nullable=False),
    pa.field("status", pa.string(), nullable=False),
    pa.field("estimated_monthly_savings", MONEY, nullable=True),
    pa.field("currency", pa.string(), nullable=False),
    pa.field("savings_formula", pa.string(), nullable=True),
    pa.field("confidence", pa.float64(), nullable=False),
    pa.field("alternative_group", pa.string(), nullable=True),
    pa.field("tags", pa.map_(pa.string(), pa.string(), keys_sorted=True), nullable=False),
    pa.field("details", pa.string(), nullable=False),
    pa.field("source_fingerprints", pa.list_(pa.string()), nullable=False),
    pa.field("observed_at", TIMESTAMP, nullable=False),
    pa.field("run_id", pa.string(), nullable=False),
    pa.field("fingerprint", pa.string(), nullable=False),
    pa.field("finding_id", pa.string(), nullable=False),
    pa.field("id_mode", pa.string(), nullable=False),
    pa.field("schema_version", pa.int32(), nullable=False),
]

# Kafka provenance, added by the stream processor; storage only.
PROVENANCE_FIELDS: list[pa.Field] = [
    pa.field("source_topic", pa.string(), nullable=False),
    pa.field("source_partition", pa.int32(), nullable=False),
    pa.field("source_offset", pa.int64(), nullable=False),
]

FINDING_SCHEMA = pa.schema(
    WIRE_FIELDS + PROVENANCE_FIELDS,
    metadata={"finops.schema": "finding", "finops.schema_version": str(SCHEMA_VERSION)},
)

# The unique key rows are sorted by inside every file (determinism).
SORT_KEY = ("source_topic", "source_partition", "source_offset")

# The identity that the fingerprint hashes; never times or amounts.
IDENTITY_FIELDS = ("check_id", "tenant_id", "account_id", "region", "resource_id", "scope")
