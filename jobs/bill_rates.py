"""Effective unit rates from the customer's own bill, and findings re-priced at them.

A rate is amortized cost per unit of usage over a window of the cost facts, per (tenant, payer,
account, region, service, usage type, operation, SKU, unit) and per resource: DiscountedUsage at
its reservation effective cost, Savings-Plan-covered usage at its SP effective cost, on-demand
usage at its unblended cost (the facts' `cost_effective`, for CUR, CUR 2.0 and FOCUS alike).
SavingsPlanNegation lines (the on-demand cost an SP removes) and non-usage charges are left out.
Every rate keeps its provenance: line count, usage amount, period, line types, source files.

A finding's catalog-priced terms (`details.price_terms`: key, quantity, sign) are re-priced term
by term: the resource's own rate, else the same account + region, else the same payer + region,
else the list price the finding itself used (`details.prices`); a term priced by none of them
makes the estimate unknown, never 0.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from jobs.cur.enrich import facts_relation, parquet_files
from jobs.cur.names import quote_literal

log = logging.getLogger(__name__)

DEFAULT_DAYS = 30
CENT = Decimal("0.01")
RESOURCE, ACCOUNT, PAYER_REGION, LIST = "bill:resource", "bill:account", "bill:payer-region", "list"

_RATE_KEYS = ("tenant_id", "billing_account_id", "account_id", "region", "service",
              "resource_id", "usage_type", "operation", "sku_id", "usage_unit")
# One scan, two groupings: per usage type (resource_id NULL, every line) and per resource
# (the lines that name one). The distinct line types and source files per rate are counted
# over the distinct (rate, line type, file) rows, joined back to the sums: DISTINCT aggregates
# over every bill line took 4x the time of the sums themselves (10M lines: 8.0 s of 9.0).
_RATE_SQL = """
WITH lines AS (
    SELECT tenant_id, billing_account_id, account_id, region, service, resource_id,
           usage_type, operation, sku_id, usage_unit, usage_amount, cost_effective, cost_list,
           commitment_type, usage_start, usage_end, line_item_type, source_file
    FROM {facts}
    WHERE charge_category = 'Usage' AND COALESCE(line_item_type, '') <> 'SavingsPlanNegation'
      AND usage_amount > 0 AND cost_effective IS NOT NULL AND usage_unit IS NOT NULL
      AND usage_start >= CAST(? AS TIMESTAMPTZ) AND usage_start < CAST(? AS TIMESTAMPTZ)
      {extra}
), sums AS (
    SELECT {keys},
       count(*) AS lines, sum(usage_amount) AS usage_amount,
       sum(cost_effective) AS cost_effective, sum(cost_list) AS cost_list,
       sum(CASE WHEN commitment_type IS NOT NULL THEN usage_amount ELSE 0 END) AS committed_usage,
       sum(CASE WHEN commitment_type IS NOT NULL THEN cost_effective ELSE 0 END)
           AS committed_cost_effective,
       sum(CASE WHEN commitment_type IS NOT NULL THEN cost_list ELSE 0 END) AS committed_cost_list,
       sum(cost_effective) / sum(usage_amount) AS rate,
       sum(cost_list) / sum(usage_amount) AS list_rate,
       min(usage_start) AS period_start, max(COALESCE(usage_end, usage_start)) AS period_end
    FROM lines {grouping}
), kinds AS (
    SELECT {keys}, string_agg(DISTINCT line_item_type, ',' ORDER BY line_item_type) AS line_types,
           count(DISTINCT source_file) AS files
    FROM (SELECT DISTINCT {keys}, line_item_type, source_file FROM lines) {grouping}
)
SELECT s.*{kinds} ORDER BY ALL
"""
_KINDS = ", k.line_types, k.files FROM sums s JOIN kinds k ON {same}"


def derive_rates(
    facts_dir: Path | str,
    end: datetime | None = None,
    days: int = DEFAULT_DAYS,
    start: datetime | None = None,
    tenant: str | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    provenance: bool = True,
) -> pa.Table:
    """Rates over [start, end) (default: the `days` before the latest usage end in the facts).
    Rows with `resource_id` NULL are per usage type; the others are one resource's own rate.
    `provenance=False` leaves out `line_types` and `files` (what a rate's source text cites;
    a caller that needs only the figures skips counting them), same rows in the same order."""
    files = parquet_files(facts_dir)
    con = con or duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    if not files:
        return pa.table({})
    facts = facts_relation(files)
    if end is None:
        end = con.execute(f"SELECT max(COALESCE(usage_end, usage_start)) FROM {facts}").fetchall()[0][0]
        if end is None:
            return pa.table({})
    start = start or end - timedelta(days=days)
    extra = f"AND tenant_id = {quote_literal(tenant)}" if tenant else ""
    keys = ", ".join(_RATE_KEYS)
    scope = ", ".join(k for k in _RATE_KEYS if k != "resource_id")
    grouping = (f"GROUP BY GROUPING SETS (({scope}), ({keys}))"
                " HAVING grouping(resource_id) = 1 OR resource_id IS NOT NULL")
    same = " AND ".join(f"s.{k} IS NOT DISTINCT FROM k.{k}" for k in _RATE_KEYS)
    kinds = _KINDS.format(same=same) if provenance else " FROM sums s"
    sql = _RATE_SQL.format(facts=facts, extra=extra, keys=keys, kinds=kinds, grouping=grouping)
    return con.sql(sql, params=[start, end]).to_arrow_table()


# --- catalog key -> the bill's usage type ------------------------------------------------

_REGION_PREFIX = re.compile(r"^[A-Z]{2,4}[0-9]?-(?=[A-Za-z])")
_RDS_OPERATIONS = {"mysql": "CreateDBInstance:0002", "postgresql": "CreateDBInstance:0014",
                   "mariadb": "CreateDBInstance:0018", "aurora-mysql": "CreateDBInstance:0016",
                   "aurora-postgresql": "CreateDBInstance:0021"}
_EBS = {"gp2": "EBS:VolumeUsage.gp2", "gp3": "EBS:VolumeUsage.gp3", "io1": "EBS:VolumeUsage.piops",
        "io2": "EBS:VolumeUsage.io2", "st1": "EBS:VolumeUsage.st1", "sc1": "EBS:VolumeUsage.sc1",
        "standard": "EBS:VolumeUsage", "snapshot": "EBS:SnapshotUsage"}
_EBS_IOPS = {"gp3": "EBS:VolumeP-IOPS.gp3", "io1": "EBS:VolumeP-IOPS.piops",
             "io2": "EBS:VolumeP-IOPS.io2"}
_FIXED = {"vpc:nat-gateway:hour": ("NatGateway-Hours", None),
          "vpc:nat-gateway-data:gb": ("NatGateway-Bytes", None),
          "ec2:public-ipv4:hour": ("PublicIPv4:IdleAddress", None),
          "elb:classic:hour": ("LoadBalancerUsage", "LoadBalancing"),
          "elb:application:hour": ("LoadBalancerUsage", "LoadBalancing:Application"),
          "elb:network:hour": ("LoadBalancerUsage", "LoadBalancing:Network"),
          "rds:gp2:gb-month": ("RDS:GP2-Storage", None),
          "rds:gp3:gb-month": ("RDS:GP3-Storage", None),
          "rds:snapshot:gb-month": ("RDS:ChargedBackupUsage", None),
          "s3:standard:gb-month": ("TimedStorage-ByteHrs", None)}


def usage_of(key: str) -> tuple[str, str | None] | None:
    """(usage type without its region prefix, operation or None = any) billed for a catalog key;
    None when the key has no single usage type in the bill."""
    if key in _FIXED:
        return _FIXED[key]
    parts = key.split(":")
    if parts[0] == "ec2" and len(parts) == 4 and parts[3] == "hour":
        op = {"linux": "RunInstances", "windows": "RunInstances:0002"}.get(parts[2])
        return (f"BoxUsage:{parts[1]}", op) if op else None
    if parts[0] == "ebs" and len(parts) == 3:
        table = _EBS if parts[2] == "gb-month" else _EBS_IOPS if parts[2] == "iops-month" else {}
        return (table[parts[1]], None) if parts[1] in table else None
    if parts[0] == "rds" and parts[1].startswith("db.") and parts[-1] == "hour":
        multi = len(parts) == 5 and parts[3] == "multi-az"
        op = _RDS_OPERATIONS.get(parts[2])
        kind = "Multi-AZUsage" if multi else "InstanceUsage"
        return (f"{kind}:{parts[1]}", op) if op else None
    return None


def bare_usage_type(usage_type: str | None) -> str:
    return _REGION_PREFIX.sub("", usage_type or "")


# --- looking rates up ----------------------------------------------------------------------

@dataclass(frozen=True)
class Rate:
    amount: Decimal
    basis: str  # bill:resource, bill:account, bill:payer-region or list
    source: str  # provenance: lines, usage, period (or the catalog citation)


Rows = list[Mapping[str, Any]]


@dataclass
class RateBook:
    """The rates of one window, indexed for the lookups a finding needs: every lookup is a dict
    access (a scan over the whole book per finding term made a window quadratic in findings).

    `by_account` / `by_payer`: (tenant, account or payer, region, bare usage type) -> operation ->
    rows; `scopes`: (is payer, tenant, account or payer, region) -> (bare usage type, operation)
    -> rows, for the commitment discount, which pools usage types. Rows keep the rate table's
    order, so pooled sums add in the same order whatever the lookup.
    """

    by_resource: dict[tuple[str, str, str | None], Rows] = field(default_factory=dict)
    by_account: dict[tuple[str, str, str, str], dict[str | None, Rows]] = field(
        default_factory=dict)
    by_payer: dict[tuple[str, str, str, str], dict[str | None, Rows]] = field(
        default_factory=dict)
    scopes: dict[tuple[bool, str, str, str], dict[tuple[str, str | None], Rows]] = field(
        default_factory=dict)
    payer_of: dict[tuple[str, str], str] = field(default_factory=dict)
    _memo: dict[tuple[str, str, str, str | None, str], Rate | None] = field(
        default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_table(cls, rates: pa.Table) -> RateBook:
        book = cls()
        if rates.num_rows:
            # the periods only ever appear as text in a rate's source: formatting them in Arrow
            # avoids a tz-aware datetime object per value
            for name in ("period_start", "period_end"):
                rates = rates.set_column(rates.schema.get_field_index(name), name,
                                         pc.strftime(rates.column(name), "%Y-%m-%d %H:%M"))
        for row in rates.to_pylist() if rates.num_rows else []:
            ut, op = bare_usage_type(row["usage_type"]), row["operation"]
            tenant, region = row["tenant_id"], row["region"]
            if row["resource_id"] is not None:
                book.by_resource.setdefault((tenant, row["resource_id"], ut), []).append(row)
                continue
            book._add(False, (tenant, row["account_id"], region, ut), op, row)
            if row["billing_account_id"]:
                book._add(True, (tenant, row["billing_account_id"], region, ut), op, row)
                book.payer_of[(tenant, row["account_id"])] = row["billing_account_id"]
        return book

    def _add(self, payer: bool, head: tuple[str, str, str, str], op: str | None,
             row: Mapping[str, Any]) -> None:
        index = self.by_payer if payer else self.by_account
        index.setdefault(head, {}).setdefault(op, []).append(row)
        tenant, who, region, ut = head
        self.scopes.setdefault((payer, tenant, who, region), {}).setdefault(
            (ut, op), []).append(row)

    def billed_resources(self) -> set[tuple[str, str]]:
        """(tenant, resource id) of every resource with rates of its own."""
        return {(tenant, resource) for tenant, resource, _ut in self.by_resource}

    def rate(self, tenant: str, account: str, region: str, resource: str | None,
             key: str) -> Rate | None:
        memo = (tenant, account, region, resource, key)
        if memo not in self._memo:
            self._memo[memo] = self._rate(tenant, account, region, resource, key)
        return self._memo[memo]

    def _rate(self, tenant: str, account: str, region: str, resource: str | None,
              key: str) -> Rate | None:
        usage = usage_of(key)
        if usage is None:
            return None
        ut, op = usage
        if resource is not None:
            rows = [r for r in self.by_resource.get((tenant, resource, ut), [])
                    if op is None or r["operation"] == op]
            if rows:
                return _pooled(rows, RESOURCE)
        rows = self._matching(self.by_account, (tenant, account, region, ut), op)
        if rows:
            return _pooled(rows, ACCOUNT)
        payer = self.payer_of.get((tenant, account))
        rows = self._matching(self.by_payer, (tenant, payer or "", region, ut), op)
        return _pooled(rows, PAYER_REGION) if rows else None

    def commitment_discount(self, tenant: str, account: str, region: str,
                            key: str) -> Rate | None:
        """1 - effective / list cost of the usage the customer's own RIs and Savings Plans
        covered: same usage type in the account, else any EC2 instance usage in the account,
        else the same for the payer and region. None when the bill shows no commitment."""
        usage = usage_of(key)
        if usage is None:
            return None
        ut, _op = usage
        payer = self.payer_of.get((tenant, account), "")
        for of_payer, who, basis in ((False, account, ACCOUNT), (True, payer, PAYER_REGION)):
            types = self.scopes.get((of_payer, tenant, who, region), {})
            for match in (lambda u: u == ut, lambda u: u.startswith("BoxUsage:")):
                rows = [r for (u, _op), rs in types.items() if match(u) for r in rs
                        if (r["committed_cost_list"] or 0) > 0]
                if rows:
                    eff = sum(float(r["committed_cost_effective"]) for r in rows)
                    lst = sum(float(r["committed_cost_list"]) for r in rows)
                    lines = sum(int(r["lines"]) for r in rows)
                    scope = "usage type" if match(ut) and all(
                        bare_usage_type(r["usage_type"]) == ut for r in rows) else "EC2 instances"
                    return Rate(Decimal(repr(1 - eff / lst)), f"{basis}:commitment",
                                f"bill: committed {scope}, ${eff:.2f} effective vs ${lst:.2f} "
                                f"on-demand (usage groups of {lines} lines)")
        return None

    @staticmethod
    def _matching(index: Mapping[tuple[str, str, str, str], Mapping[str | None, Rows]],
                  head: tuple[str, str, str, str], op: str | None) -> Rows:
        by_op = index.get(head, {})
        if op is not None:
            return list(by_op.get(op, []))
        return [r for rows in by_op.values() for r in rows]


def _pooled(rows: Iterable[Mapping[str, Any]], basis: str) -> Rate | None:
    rows = list(rows)
    usage = sum(float(r["usage_amount"]) for r in rows)
    cost = sum(float(r["cost_effective"]) for r in rows)
    if usage <= 0:
        return None
    lines = sum(int(r["lines"]) for r in rows)
    lo = min(_minute(r["period_start"]) for r in rows)
    hi = max(_minute(r["period_end"]) for r in rows)
    units = sorted({str(r["usage_unit"]) for r in rows})
    types = sorted({t for r in rows for t in str(r["line_types"] or "").split(",") if t})
    source = (f"bill: {lines} lines, {usage:g} {'/'.join(units)}, ${cost:.2f} "
              f"({'+'.join(types)}), {lo}..{hi} UTC")
    return Rate(Decimal(repr(cost / usage)), basis, source)


def _minute(ts: str | datetime) -> str:
    """A period bound as "YYYY-MM-DD HH:MM" (UTC), from text (from_table) or a datetime."""
    return ts if isinstance(ts, str) else f"{ts:%Y-%m-%d %H:%M}"


# --- re-pricing findings ---------------------------------------------------------------------

@dataclass(frozen=True)
class Repriced:
    list_estimate: Decimal | None
    bill_estimate: Decimal | None  # None: no term priced from the bill, or a term unpriced
    shown: Decimal | None
    shown_basis: str  # "bill" (every term from the bill), "bill+list", "list", "unknown"
    terms: list[dict[str, Any]]


def reprice(finding: Mapping[str, Any], book: RateBook) -> Repriced:
    """One finding (a row with tenant_id, account_id, region, resource_id, details,
    estimated_monthly_savings) at list price and at the customer's rates."""
    if finding.get("check_id") == COMMITMENT_CHECK:
        committed = _reprice_commitment(finding, book)
        if committed is not None:
            return committed
    details = _details(finding.get("details"))
    return _priced(finding["tenant_id"], finding["account_id"], finding["region"],
                   finding.get("resource_id"), finding.get("estimated_monthly_savings"),
                   _terms(details), _list_prices(details), book)


def _priced(tenant: str, account: str, region: str, resource: str | None, listed: Any,
            terms: list[tuple[str, Decimal, int]], listed_prices: Mapping[str, Decimal],
            book: RateBook) -> Repriced:
    """`reprice` once the finding's details are parsed."""
    list_amount = None if listed is None else Decimal(str(listed))
    if not terms:
        basis = "list" if list_amount is not None else "unknown"
        return Repriced(list_amount, None, list_amount, basis, [])
    total, out, from_bill, unknown = Decimal(0), [], 0, False
    for key, qty, sign in terms:
        rate = book.rate(tenant, account, region, resource, key)
        if rate is None and key in listed_prices:
            rate = Rate(listed_prices[key], LIST, "list price (details.prices)")
        if rate is None:
            unknown = True
            out.append({"key": key, "quantity": str(qty), "sign": sign, "basis": "unknown"})
            continue
        from_bill += rate.basis != LIST
        total += sign * qty * rate.amount
        out.append({"key": key, "quantity": str(qty), "sign": sign, "basis": rate.basis,
                    "rate": format(rate.amount.normalize(), "f"), "source": rate.source})
    if unknown:  # a term nobody prices: the list figure (None, or a lower bound) stands
        return Repriced(list_amount, None, list_amount,
                        "list" if list_amount is not None else "unknown", out)
    amount = total.quantize(CENT, rounding=ROUND_HALF_EVEN)
    if from_bill == 0:
        return Repriced(list_amount, None, list_amount, "list", out)
    basis = "bill" if from_bill == len(terms) else "bill+list"
    return Repriced(list_amount, amount, amount, basis, out)


COMMITMENT_CHECK = "ec2_instance_no_commitment_coverage"


def _reprice_commitment(finding: Mapping[str, Any], book: RateBook) -> Repriced | None:
    """The coverage check prices on-demand hours x an assumed discount; re-price them with the
    discount the customer's own commitments give on the bill, where it shows one."""
    details = _details(finding.get("details"))
    terms = _terms(details)
    prices = _list_prices(details)
    assumed = details.get("assumed_discount")
    if len(terms) != 1 or assumed is None or Decimal(str(assumed)) <= 0:
        return None
    key, qty, sign = terms[0]
    discount = book.commitment_discount(finding["tenant_id"], finding["account_id"],
                                        finding["region"], key)
    if discount is None or key not in prices:
        return None
    hours = qty / Decimal(str(assumed))  # uncovered on-demand hours a month
    amount = (sign * hours * prices[key] * discount.amount).quantize(CENT, rounding=ROUND_HALF_EVEN)
    listed = finding.get("estimated_monthly_savings")
    term = {"key": key, "quantity": str(hours), "sign": sign, "basis": discount.basis,
            "rate": format(prices[key].normalize(), "f"),
            "discount": format(discount.amount.quantize(Decimal("0.0001")), "f"),
            "source": discount.source}
    return Repriced(None if listed is None else Decimal(str(listed)), amount, amount, "bill",
                    [term])


def _details(details: Any) -> dict[str, Any]:
    """Stored details are canonical JSON text (values themselves JSON text); a mapping too."""
    if isinstance(details, str):
        try:
            parsed = json.loads(details)
        except json.JSONDecodeError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return dict(details or {})


def _list_prices(details: Mapping[str, Any]) -> dict[str, Decimal]:
    """`details.prices` ({key: "0.1 USD/gb-month"}) as amounts."""
    return _parse_prices(details.get("prices"))


def _parse_prices(raw: Any) -> dict[str, Decimal]:
    table = json.loads(raw) if isinstance(raw, str) else (raw or {})
    return {k: Decimal(str(v).split()[0]) for k, v in table.items()}


def _terms(details: Mapping[str, Any]) -> list[tuple[str, Decimal, int]]:
    return _parse_terms(details.get("price_terms"))


def _parse_terms(raw: Any) -> list[tuple[str, Decimal, int]]:
    if raw is None:
        return []
    items = json.loads(raw) if isinstance(raw, str) else raw
    return [(str(k), Decimal(str(q)), int(s)) for k, q, s in items]
