"""Billing-export variants: detection from the columns, and each variant's mapping onto FACTS_SCHEMA.

A variant is told by its columns, never by its file name: FOCUS has `BilledCost` and
`ChargePeriodStart`; CUR (legacy and 2.0) has `line_item_unblended_cost` once headers are put in
Athena snake case (`names.cur_snake`); CUR 2.0 adds the `resource_tags` / `product` map columns.
Each mapping is a list of SQL expressions over the raw columns; a column the file lacks becomes
NULL and a value of the wrong type becomes NULL through TRY_CAST, so schema drift between months
(a new tag column, a cost typed as text) never fails a run. docs/cur.md has the mapping table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from jobs.cur.names import cur_snake, quote_ident, tag_key, tag_key_sql

NULL = "NULL"
EMPTY_TAGS = "CAST(MAP {} AS MAP(VARCHAR, VARCHAR))"

# FOCUS ServiceName (AWS) -> CUR product code, so facts from both variants share `service`.
FOCUS_SERVICE_CODES: dict[str, str] = {
    "Amazon Elastic Compute Cloud": "AmazonEC2",
    "Amazon Simple Storage Service": "AmazonS3",
    "Amazon Relational Database Service": "AmazonRDS",
    "Amazon Virtual Private Cloud": "AmazonVPC",
    "Elastic Load Balancing": "AWSELB",
    "AmazonCloudWatch": "AmazonCloudWatch",
    "Amazon CloudWatch": "AmazonCloudWatch",
    "AWS Lambda": "AWSLambda",
    "Amazon DynamoDB": "AmazonDynamoDB",
    "Amazon Simple Queue Service": "AWSQueueService",
    "Amazon Simple Notification Service": "AmazonSNS",
    "Amazon Elastic Container Service": "AmazonECS",
    "Amazon Elastic Container Service for Kubernetes": "AmazonEKS",
    "Amazon EC2 Container Registry (ECR)": "AmazonECR",
    "Amazon Elastic File System": "AmazonEFS",
    "Amazon CloudFront": "AmazonCloudFront",
    "AWS CloudTrail": "AWSCloudTrail",
    "AWS Key Management Service": "awskms",
    "AWS Systems Manager": "AWSSystemsManager",
    "Amazon Route 53": "AmazonRoute53",
    "Amazon API Gateway": "AmazonApiGateway",
    "AWS Step Functions": "AmazonStates",
    "AWS Secrets Manager": "AWSSecretsManager",
    "Amazon ElastiCache": "AmazonElastiCache",
    "Amazon Redshift": "AmazonRedshift",
    "Amazon EMR": "ElasticMapReduce",
}

# Legacy CUR line item type -> FOCUS ChargeCategory (FOCUS 1.0 definitions).
CHARGE_CATEGORY: dict[str, str] = {
    "Usage": "Usage",
    "DiscountedUsage": "Usage",
    "SavingsPlanCoveredUsage": "Usage",
    "SavingsPlanNegation": "Usage",
    "RIFee": "Purchase",
    "Fee": "Purchase",
    "SavingsPlanRecurringFee": "Purchase",
    "SavingsPlanUpfrontFee": "Purchase",
    "Tax": "Tax",
    "Credit": "Credit",
    "BundledDiscount": "Credit",
    "EdpDiscount": "Credit",
    "PrivateRateDiscount": "Credit",
    "SppDiscount": "Credit",
    "DistributorDiscount": "Credit",
    "Refund": "Adjustment",
}


class UnknownVariant(ValueError):
    """The columns match no known billing export."""


@dataclass(frozen=True, slots=True)
class Columns:
    """A file's columns: lookup key (normal form) -> (raw name, DuckDB type)."""

    by_key: Mapping[str, tuple[str, str]]

    @classmethod
    def cur(cls, raw: Mapping[str, str]) -> Columns:
        out: dict[str, tuple[str, str]] = {}
        for name, typ in raw.items():
            out.setdefault(cur_snake(name), (name, typ))  # first of any colliding headers wins
        return cls(out)

    @classmethod
    def focus(cls, raw: Mapping[str, str]) -> Columns:
        out: dict[str, tuple[str, str]] = {}
        for name, typ in raw.items():
            out.setdefault(name.strip().lower(), (name, typ))
        return cls(out)

    def has(self, key: str) -> bool:
        return key.lower() in self.by_key

    def ref(self, key: str) -> str | None:
        hit = self.by_key.get(key.lower())
        return None if hit is None else quote_ident(hit[0])

    def type_of(self, key: str) -> str:
        return self.by_key[key.lower()][1]

    def text(self, *keys: str) -> str:
        """First non-empty of the given columns, as trimmed text."""
        parts = [f"NULLIF(TRIM(CAST({r} AS VARCHAR)), '')" for k in keys if (r := self.ref(k))]
        return _coalesce(parts)

    def num(self, key: str) -> str:
        ref = self.ref(key)
        return NULL if ref is None else f"TRY_CAST({ref} AS DOUBLE)"

    def ts(self, key: str) -> str:
        ref = self.ref(key)
        return NULL if ref is None else f"TRY_CAST({ref} AS TIMESTAMPTZ)"


def _coalesce(parts: list[str]) -> str:
    if not parts:
        return NULL
    return parts[0] if len(parts) == 1 else f"COALESCE({', '.join(parts)})"


def _case_map(expr: str, mapping: Mapping[str, str], default: str) -> str:
    whens = " ".join(f"WHEN {_lit(k)} THEN {_lit(v)}" for k, v in sorted(mapping.items()))
    return f"CASE {expr} {whens} ELSE {default} END"


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _region_from_az(az: str) -> str:
    return f"NULLIF(regexp_extract({az}, '^([a-z]{{2}}(-gov)?-[a-z]+-[0-9]+)', 1), '')"


def dynamic_tags_sql(cols: Columns, key: str) -> str:
    """Tags from a map column (CUR 2.0 Parquet) or JSON object text (CUR 2.0 CSV, FOCUS `Tags`):
    keys normalized, empty values dropped, sorted, first value kept on a key collision."""
    ref = cols.ref(key)
    if ref is None:
        return EMPTY_TAGS
    typ = cols.type_of(key).upper()
    if typ.startswith("MAP"):
        source = f"CAST({ref} AS MAP(VARCHAR, VARCHAR))"
    else:
        source = f"TRY_CAST(TRY_CAST({ref} AS JSON) AS MAP(VARCHAR, VARCHAR))"
    entries = (
        f"list_sort(list_filter(list_transform(map_entries(COALESCE({source}, {EMPTY_TAGS})), "
        f"lambda e: {{'k': {tag_key_sql('e.key')}, 'v': NULLIF(TRIM(e.value), '')}}), "
        "lambda e: e.v IS NOT NULL AND e.k <> ''))"
    )
    return f"map_from_entries(cur_dedupe_entries({entries}))"


def static_tags_sql(cols: Columns) -> str:
    """Legacy CUR: one `resource_tags_*` column per tag key (the set drifts month to month)."""
    by_key: dict[str, list[str]] = {}
    for key, (raw, _typ) in sorted(cols.by_key.items()):
        if key.startswith("resource_tags_"):
            by_key.setdefault(tag_key(key[len("resource_tags_") :]), []).append(raw)
    if not by_key:
        return EMPTY_TAGS
    structs, values = [], []
    for key in sorted(by_key):
        value = _coalesce(
            [f"NULLIF(TRIM(CAST({quote_ident(r)} AS VARCHAR)), '')" for r in by_key[key]]
        )
        values.append(value)
        structs.append(f"{{'k': {_lit(key)}, 'v': {value}}}")
    # Most line items carry no tag: skip building the list for them (the costly part).
    return (
        f"CASE WHEN COALESCE({', '.join(values)}) IS NULL THEN {EMPTY_TAGS} ELSE "
        f"map_from_entries(list_filter([{', '.join(structs)}], lambda e: e.v IS NOT NULL)) END"
    )


# Run once per connection before using the mappings.
MACROS_SQL = (
    "CREATE OR REPLACE MACRO cur_dedupe_entries(L) AS "
    "list_filter(L, lambda e, i: i = 1 OR L[i - 1].k <> e.k)"
)


@dataclass(frozen=True, slots=True)
class Variant:
    name: str  # cur1, cur2, focus-1.0, focus-1.1, focus-1.2
    cols: Columns

    def select_list(self) -> dict[str, str]:
        """FACTS_SCHEMA column (less tenant, month, resource_id, source) -> SQL over raw columns."""
        if self.name.startswith("focus"):
            return _focus_select(self.cols)
        return _cur_select(self.cols, cur2=self.name == "cur2")

    def billing_period_sql(self) -> str:
        c = self.cols
        key = (
            "BillingPeriodStart"
            if self.name.startswith("focus")
            else "bill_billing_period_start_date"
        )
        return c.ts(key)


def detect(raw_columns: Mapping[str, str]) -> Variant:
    """The variant of a file from its column names and types; raises UnknownVariant."""
    focus = Columns.focus(raw_columns)
    if focus.has("BilledCost") and focus.has("ChargePeriodStart"):
        if any(focus.has(c) for c in ("InvoiceId", "BillingAccountType", "SubAccountType")):
            return Variant("focus-1.2", focus)
        if any(focus.has(c) for c in ("ServiceSubcategory", "CapacityReservationId", "SkuMeter")):
            return Variant("focus-1.1", focus)
        return Variant("focus-1.0", focus)
    cur = Columns.cur(raw_columns)
    if cur.has("line_item_unblended_cost") and cur.has("line_item_usage_start_date"):
        cur2 = cur.has("resource_tags") or cur.has("product")
        return Variant("cur2" if cur2 else "cur1", cur)
    sample = ", ".join(sorted(raw_columns)[:8])
    raise UnknownVariant(
        f"no billing variant matches the {len(raw_columns)} columns (first: {sample}); expected "
        "CUR (line_item_unblended_cost + line_item_usage_start_date) or FOCUS "
        "(BilledCost + ChargePeriodStart)"
    )


def _cur_select(c: Columns, cur2: bool) -> dict[str, str]:
    lit = c.text("line_item_line_item_type")
    unblended = c.num("line_item_unblended_cost")
    effective = _amortized_sql(c, lit, unblended)
    region_parts = [c.text("product_region", "product_region_code")]
    if cur2 and c.has("product"):
        ref = c.ref("product")
        if c.type_of("product").upper().startswith("MAP"):
            region_parts.append(f"NULLIF(map_extract_value({ref}, 'region'), '')")
        else:
            region_parts.append(
                f"NULLIF(json_extract_string(TRY_CAST({ref} AS JSON), '$.region'), '')"
            )
    region_parts.append(_region_from_az(c.text("line_item_availability_zone")))
    tags = dynamic_tags_sql(c, "resource_tags") if cur2 else static_tags_sql(c)
    return {
        "provider": "'AWS'",
        "billing_account_id": c.text("bill_payer_account_id"),
        "account_id": c.text("line_item_usage_account_id", "bill_payer_account_id"),
        "region": _coalesce([p for p in region_parts if p != NULL]),
        "service": c.text("line_item_product_code", "product_servicecode"),
        "resource_id_raw": c.text("line_item_resource_id"),
        "usage_start": c.ts("line_item_usage_start_date"),
        "usage_end": c.ts("line_item_usage_end_date"),
        "line_item_type": lit,
        "charge_category": _case_map(lit, CHARGE_CATEGORY, NULL),
        "cost_primary": unblended,
        "cost_effective": effective,
        "cost_list": c.num("pricing_public_on_demand_cost"),
        "currency": c.text("line_item_currency_code"),
        "usage_amount": c.num("line_item_usage_amount"),
        "usage_unit": c.text("pricing_unit"),
        "tags": tags,
        "usage_type": c.text("line_item_usage_type"),
        "operation": c.text("line_item_operation"),
        "sku_id": c.text("product_sku"),
        "pricing_category": (
            f"CASE {lit} WHEN 'DiscountedUsage' THEN 'Committed' "
            "WHEN 'SavingsPlanCoveredUsage' THEN 'Committed' "
            f"WHEN 'Usage' THEN CASE WHEN {c.text('line_item_usage_type')} LIKE '%SpotUsage%' "
            "THEN 'Dynamic' ELSE 'Standard' END END"),
        "commitment_type": (
            f"CASE {lit} WHEN 'DiscountedUsage' THEN 'Reservation' "
            "WHEN 'SavingsPlanCoveredUsage' THEN 'Savings Plan' END"),
    }


def _amortized_sql(c: Columns, lit: str, unblended: str) -> str:
    """AWS's amortized-cost formula (Cost Explorer 'amortized'; CUR query library)."""
    z = "0.0"

    def n(key: str) -> str:
        return f"COALESCE({c.num(key)}, 0.0)" if c.has(key) else z

    ri_arn = c.text("reservation_reservation_a_r_n")
    return (
        f"CASE {lit} "
        f"WHEN 'SavingsPlanCoveredUsage' THEN {c.num('savings_plan_savings_plan_effective_cost')} "
        f"WHEN 'SavingsPlanRecurringFee' THEN {n('savings_plan_total_commitment_to_date')} - "
        f"{n('savings_plan_used_commitment')} "
        f"WHEN 'SavingsPlanNegation' THEN 0.0 WHEN 'SavingsPlanUpfrontFee' THEN 0.0 "
        f"WHEN 'DiscountedUsage' THEN {c.num('reservation_effective_cost')} "
        f"WHEN 'RIFee' THEN {n('reservation_unused_amortized_upfront_fee_for_billing_period')} + "
        f"{n('reservation_unused_recurring_fee')} "
        f"WHEN 'Fee' THEN CASE WHEN {ri_arn} IS NOT NULL THEN 0.0 ELSE {unblended} END "
        f"ELSE {unblended} END"
    )


def _focus_select(c: Columns) -> dict[str, str]:
    service_name = c.text("ServiceName")
    return {
        "provider": c.text("ProviderName", "Provider"),
        "billing_account_id": c.text("BillingAccountId"),
        "account_id": c.text("SubAccountId", "BillingAccountId"),
        "region": c.text("RegionId", "Region"),
        "service": _coalesce(
            [p for p in (c.text("x_ServiceCode"),) if p != NULL]
            + [_case_map(service_name, FOCUS_SERVICE_CODES, service_name)]
        ),
        "resource_id_raw": c.text("ResourceId"),
        "usage_start": c.ts("ChargePeriodStart"),
        "usage_end": c.ts("ChargePeriodEnd"),
        "line_item_type": c.text("ChargeCategory"),
        "charge_category": c.text("ChargeCategory"),
        "cost_primary": c.num("BilledCost"),
        "cost_effective": c.num("EffectiveCost"),
        "cost_list": c.num("ListCost"),
        "currency": c.text("BillingCurrency"),
        "usage_amount": _coalesce(
            [p for p in (c.num("ConsumedQuantity"), c.num("PricingQuantity")) if p != NULL]
        ),
        "usage_unit": c.text("ConsumedUnit", "PricingUnit"),
        "tags": dynamic_tags_sql(c, "Tags"),
        "usage_type": c.text("x_UsageType"),
        "operation": c.text("x_Operation"),
        "sku_id": c.text("SkuId"),
        "pricing_category": c.text("PricingCategory"),
        "commitment_type": (
            f"CASE WHEN {c.text('CommitmentDiscountStatus')} = 'Used' "
            f"THEN {c.text('CommitmentDiscountType')} END"),
    }
