"""The one Arrow schema of normalized cost facts (`data/cur_facts/`), whatever the billing variant.

Every variant (legacy CUR Parquet/CSV/Athena text, CUR 2.0, FOCUS 1.x) is mapped onto exactly these
columns, so a month normalized from a FOCUS export unions with a month from a legacy CUR, and the
windowed jobs read one shape. Costs are float64 at line-item level (the raw precision; rounding to
cents happens only when a total is shown).
"""

from __future__ import annotations

import pyarrow as pa

FACTS_SCHEMA_VERSION = 2

TIMESTAMP = pa.timestamp("us", tz="UTC")
TAGS = pa.map_(pa.string(), pa.string(), keys_sorted=True)

FACTS_SCHEMA = pa.schema(
    [
        pa.field("tenant_id", pa.string(), nullable=False),
        pa.field("billing_month", pa.string(), nullable=False),  # YYYY-MM, partition key
        pa.field("provider", pa.string(), nullable=True),
        pa.field("billing_account_id", pa.string(), nullable=True),
        pa.field("account_id", pa.string(), nullable=True),
        pa.field("region", pa.string(), nullable=True),
        pa.field("service", pa.string(), nullable=True),  # AWS product code, e.g. AmazonEC2
        pa.field("resource_id", pa.string(), nullable=True),  # canonical ARN where known
        pa.field("resource_id_raw", pa.string(), nullable=True),  # as the bill wrote it
        pa.field("usage_start", TIMESTAMP, nullable=True),
        pa.field("usage_end", TIMESTAMP, nullable=True),
        pa.field("line_item_type", pa.string(), nullable=True),
        pa.field("charge_category", pa.string(), nullable=True),  # FOCUS ChargeCategory
        pa.field("cost_primary", pa.float64(), nullable=True),  # unblended / BilledCost
        pa.field("cost_effective", pa.float64(), nullable=True),  # amortized / EffectiveCost
        pa.field("cost_list", pa.float64(), nullable=True),  # public on-demand / ListCost
        pa.field("currency", pa.string(), nullable=True),
        pa.field("usage_amount", pa.float64(), nullable=True),
        pa.field("usage_unit", pa.string(), nullable=True),
        pa.field("tags", TAGS, nullable=True),
        pa.field("source_file", pa.string(), nullable=False),  # relative to the input dir
        pa.field("source_variant", pa.string(), nullable=False),  # e.g. cur1/parquet, focus-1.0/csv
        # what was used, for rates from the bill (jobs/bill_rates.py)
        pa.field("usage_type", pa.string(), nullable=True),  # CUR line_item_usage_type, x_UsageType
        pa.field("operation", pa.string(), nullable=True),  # CUR line_item_operation, x_Operation
        pa.field("sku_id", pa.string(), nullable=True),  # CUR product_sku / FOCUS SkuId
        pa.field("pricing_category", pa.string(), nullable=True),  # FOCUS PricingCategory
        pa.field("commitment_type", pa.string(), nullable=True),  # Reservation / Savings Plan
    ],
    metadata={"finops.schema": "cur_facts", "finops.schema_version": str(FACTS_SCHEMA_VERSION)},
)

# DuckDB column types matching FACTS_SCHEMA, used for the staging table.
DUCKDB_TYPES: dict[str, str] = {
    "tenant_id": "VARCHAR",
    "billing_month": "VARCHAR",
    "provider": "VARCHAR",
    "billing_account_id": "VARCHAR",
    "account_id": "VARCHAR",
    "region": "VARCHAR",
    "service": "VARCHAR",
    "resource_id": "VARCHAR",
    "resource_id_raw": "VARCHAR",
    "usage_start": "TIMESTAMPTZ",
    "usage_end": "TIMESTAMPTZ",
    "line_item_type": "VARCHAR",
    "charge_category": "VARCHAR",
    "cost_primary": "DOUBLE",
    "cost_effective": "DOUBLE",
    "cost_list": "DOUBLE",
    "currency": "VARCHAR",
    "usage_amount": "DOUBLE",
    "usage_unit": "VARCHAR",
    "tags": "MAP(VARCHAR, VARCHAR)",
    "source_file": "VARCHAR",
    "source_variant": "VARCHAR",
    "usage_type": "VARCHAR",
    "operation": "VARCHAR",
    "sku_id": "VARCHAR",
    "pricing_category": "VARCHAR",
    "commitment_type": "VARCHAR",
}

assert list(DUCKDB_TYPES) == FACTS_SCHEMA.names
