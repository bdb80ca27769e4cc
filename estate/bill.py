"""The simulated estate's own bill, as hourly CUR 2.0 Parquet (generated for the demo).

Every line comes from the ledger (`ledger.py`): one line per metered (resource, usage type) and
hour it ran, usage amount = quantity x the share of the hour it ran (x 1/hours-in-month for
GB-Mo and monthly fees, as AWS prorates them), cost = amount x the estate's list price. Reserved
Instances cover running instances of their type in their account and region, lowest instance id
first, while active: those hours are `DiscountedUsage` at the RI's hourly fee (unblended 0,
`reservation_effective_cost` = fee), and each RI has an `RIFee` line an hour (its recurring fee;
the unused part as `reservation_unused_recurring_fee`), so amortized and unblended totals agree.
The estate owns no Savings Plans (it serves `DescribeSavingsPlans` as empty), so neither does
its bill.

It is labelled as what it is: `bill_invoice_id` = GENERATED-FOR-DEMO, `product['generated_for']`
= demo, the cost-allocation tag `user_generated_for` = demo on every line (it survives into the
cost facts as tag `generated_for`, which is how the jobs and the dashboard tell), a line
description saying so ("projected" for hours after the inventory, when the bill
is asked to run ahead of the clock), and a SOURCE.md beside the files. Real bills (the shared
Workshop CUR, the FOCUS sample) stay the test data for correctness; this one is for the demo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from estate.ledger import Ledger

INVOICE = "GENERATED-FOR-DEMO"
DESCRIPTION = "generated for the finops-stream demo from the simulated estate; not an AWS bill"
SOURCE_MD = """# Generated bill (demo only)

Hourly CUR 2.0 lines written by `finops estate bill` from the simulated estate's ledger
(`data/estate/bill-ledger.json`): what the estate runs, priced at the estate's own list prices
(`estate/bill_prices.py`, from ../shared/data price snapshots). Not an AWS bill; every line says
so (`bill_invoice_id` = GENERATED-FOR-DEMO). Hours after {inventoried_at} are projected: the
estate as it stood then, held to the end of the bill ({until}).
"""


@dataclass(frozen=True)
class BillSummary:
    files: list[str]
    lines: int
    start: str
    until: str
    unblended: float
    amortized: float


def _segments(ledger: Ledger) -> pa.Table:
    rows: dict[str, list] = {k: [] for k in (
        "account_id", "region", "product_code", "resource_id", "usage_type", "operation", "unit",
        "period", "rate", "kind", "seg_from", "seg_to", "quantity")}
    for entry in (ledger.entries[k] for k in sorted(ledger.entries)):
        segs = entry["segments"]
        for i, (start, qty) in enumerate(segs):
            end = segs[i + 1][0] if i + 1 < len(segs) else entry["until"]
            for k in ("account_id", "region", "product_code", "resource_id", "usage_type",
                      "operation", "unit", "period", "kind"):
                rows[k].append(entry[k])
            rows["rate"].append(float(entry["rate"]))
            rows["seg_from"].append(datetime.fromisoformat(start))
            rows["seg_to"].append(None if end is None else datetime.fromisoformat(end))
            rows["quantity"].append(float(qty))
    ts = pa.timestamp("us", tz="UTC")
    types = {"rate": pa.float64(), "quantity": pa.float64(), "seg_from": ts, "seg_to": ts}
    return pa.table({k: pa.array(v, types.get(k, pa.string())) for k, v in rows.items()})


def _reservations(ledger: Ledger) -> pa.Table:
    cols = ("account_id", "region", "id", "instance_type", "count", "start", "end", "hourly")
    rows = {k: [r[k] for r in ledger.reservations] for k in cols}
    ts = pa.timestamp("us", tz="UTC")
    return pa.table({
        "account_id": pa.array(rows["account_id"], pa.string()),
        "region": pa.array(rows["region"], pa.string()),
        "id": pa.array(rows["id"], pa.string()),
        "instance_type": pa.array(rows["instance_type"], pa.string()),
        "count": pa.array(rows["count"], pa.int64()),
        "start": pa.array([datetime.fromisoformat(s) for s in rows["start"]], ts),
        "end": pa.array([datetime.fromisoformat(s) for s in rows["end"]], ts),
        "hourly": pa.array([float(h) for h in rows["hourly"]], pa.float64()),
    })


_LINES_SQL = """
CREATE TEMP TABLE usage_lines AS
WITH hours AS (
    SELECT unnest(generate_series(CAST(? AS TIMESTAMPTZ), CAST(? AS TIMESTAMPTZ) - INTERVAL 1 HOUR,
                                  INTERVAL 1 HOUR)) AS h),
parts AS (
    SELECT s.*, h.h,
           (epoch(least(COALESCE(s.seg_to, h.h + INTERVAL 1 HOUR), h.h + INTERVAL 1 HOUR))
            - epoch(greatest(s.seg_from, h.h))) / 3600.0 AS frac,
           date_diff('hour', date_trunc('month', h.h),
                     date_trunc('month', h.h) + INTERVAL 1 MONTH) AS month_hours
    FROM _segments s JOIN hours h
      ON h.h + INTERVAL 1 HOUR > s.seg_from AND (s.seg_to IS NULL OR h.h < s.seg_to))
SELECT account_id, region, product_code, resource_id, usage_type, operation, unit, rate, kind,
       h, sum(CASE period WHEN 'hour' THEN quantity * frac
                          ELSE quantity * frac / month_hours END) AS amount
FROM parts WHERE frac > 0 GROUP BY ALL
"""

_COVER_SQL = """
CREATE TEMP TABLE covered AS
WITH slots AS (
    SELECT r.account_id, r.region, r.instance_type, r.id, r.hourly, u.h,
           row_number() OVER (PARTITION BY r.account_id, r.region, r.instance_type, u.h
                              ORDER BY r.id, n.n) AS slot
    FROM _reservations r, generate_series(1, r.count) AS n(n),
         (SELECT DISTINCT h FROM usage_lines) u
    WHERE u.h >= r.start AND u.h + INTERVAL 1 HOUR <= r."end"),
inst AS (
    SELECT account_id, region, resource_id, usage_type, h,
           split_part(usage_type, ':', 2) AS instance_type,
           row_number() OVER (PARTITION BY account_id, region, usage_type, h
                              ORDER BY resource_id) AS rk
    FROM usage_lines WHERE kind = 'instance' AND product_code = 'AmazonEC2')
SELECT i.account_id, i.region, i.resource_id, i.usage_type, i.h, s.id AS ri_id, s.hourly
FROM inst i JOIN slots s ON s.account_id = i.account_id AND s.region = i.region
  AND s.instance_type = i.instance_type AND s.h = i.h AND s.slot = i.rk
"""

_OUT_SQL = """
SELECT
  md5(concat_ws('|', line_type, account_id, resource_id, usage_type, CAST(h AS VARCHAR)))
      AS identity_line_item_id,
  strftime(h, '%Y-%m-%dT%H:%M:%SZ') || '/' || strftime(h + INTERVAL 1 HOUR, '%Y-%m-%dT%H:%M:%SZ')
      AS identity_time_interval,
  ? AS bill_invoice_id, 'AWS' AS bill_billing_entity, 'Anniversary' AS bill_bill_type,
  ? AS bill_payer_account_id,
  date_trunc('month', h) AS bill_billing_period_start_date,
  date_trunc('month', h) + INTERVAL 1 MONTH AS bill_billing_period_end_date,
  account_id AS line_item_usage_account_id, line_type AS line_item_line_item_type,
  h AS line_item_usage_start_date, h + INTERVAL 1 HOUR AS line_item_usage_end_date,
  product_code AS line_item_product_code, usage_type AS line_item_usage_type,
  operation AS line_item_operation, resource_id AS line_item_resource_id,
  amount AS line_item_usage_amount, 'USD' AS line_item_currency_code,
  unblended_rate AS line_item_unblended_rate, unblended AS line_item_unblended_cost,
  unblended AS line_item_blended_cost,
  CASE WHEN h >= CAST(? AS TIMESTAMPTZ) THEN ? || ' (projected)' ELSE ? END
      AS line_item_line_item_description,
  'finops-stream demo (generated)' AS line_item_legal_entity,
  MAP {'region': region, 'generated_for': 'demo'} AS product,
  upper(substr(md5(region || '|' || usage_type || '|' || operation), 1, 16)) AS product_sku,
  unit AS pricing_unit, list_rate AS pricing_public_on_demand_rate,
  list_cost AS pricing_public_on_demand_cost,
  CASE WHEN line_type = 'Usage' THEN 'OnDemand' ELSE 'Reserved' END AS pricing_term,
  ri_arn AS reservation_reservation_a_r_n, ri_effective AS reservation_effective_cost,
  ri_unused AS reservation_unused_recurring_fee,
  CASE WHEN ri_arn IS NULL THEN NULL ELSE 0.0 END
      AS reservation_unused_amortized_upfront_fee_for_billing_period,
  CAST(NULL AS DOUBLE) AS savings_plan_savings_plan_effective_cost,
  MAP {'user_generated_for': 'demo'} AS resource_tags
FROM (
  SELECT u.*, CASE WHEN c.ri_id IS NULL THEN 'Usage' ELSE 'DiscountedUsage' END AS line_type,
         CASE WHEN c.ri_id IS NULL THEN u.rate ELSE 0.0 END AS unblended_rate,
         CASE WHEN c.ri_id IS NULL THEN u.amount * u.rate ELSE 0.0 END AS unblended,
         u.rate AS list_rate, u.amount * u.rate AS list_cost,
         CASE WHEN c.ri_id IS NULL THEN NULL ELSE
             'arn:aws:ec2:' || u.region || ':' || u.account_id || ':reserved-instances/' || c.ri_id
         END AS ri_arn,
         CASE WHEN c.ri_id IS NULL THEN NULL ELSE u.amount * c.hourly END AS ri_effective,
         CAST(NULL AS DOUBLE) AS ri_unused
  FROM usage_lines u LEFT JOIN covered c USING (account_id, region, resource_id, usage_type, h)
  UNION ALL
  SELECT r.account_id, r.region, 'AmazonEC2' AS product_code, NULL AS resource_id,
         'HeavyUsage:' || r.instance_type AS usage_type, 'RunInstances' AS operation,
         'Hrs' AS unit, r.hourly AS rate, 'reserved instance' AS kind, u.h,
         CAST(r.count AS DOUBLE) AS amount, 'RIFee' AS line_type, r.hourly AS unblended_rate,
         r.count * r.hourly AS unblended, NULL AS list_rate, NULL AS list_cost,
         'arn:aws:ec2:' || r.region || ':' || r.account_id || ':reserved-instances/' || r.id,
         NULL AS ri_effective,
         -- unused = the RI hours its covered lines did not use (a line covering a partial
         -- instance hour uses only that share of the RI's hour)
         (r.count - (SELECT coalesce(sum(l.amount), 0) FROM covered c JOIN usage_lines l
                         USING (account_id, region, resource_id, usage_type, h)
                     WHERE c.ri_id = r.id AND c.h = u.h))
             * r.hourly AS ri_unused
  FROM _reservations r, (SELECT DISTINCT h FROM usage_lines) u
  WHERE u.h >= r.start AND u.h + INTERVAL 1 HOUR <= r."end"
)
WHERE date_trunc('month', h) = CAST(? AS TIMESTAMPTZ)
ORDER BY line_item_usage_start_date, line_item_usage_account_id, line_item_resource_id NULLS LAST,
         line_item_usage_type, line_item_line_item_type, reservation_reservation_a_r_n
"""


def write_bill(ledger: Ledger, payer: str, until: datetime, out_dir: Path) -> BillSummary:
    """Write one Parquet file per billing month covering [ledger.bill_start, until)."""
    if ledger.bill_start is None or ledger.inventoried_at is None:
        raise ValueError("empty ledger: take an inventory first")
    start = datetime.fromisoformat(ledger.bill_start).astimezone(UTC)
    until = until.astimezone(UTC)
    if until <= start:
        raise ValueError(f"bill would end ({until}) before it starts ({start})")
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.register("_segments", _segments(ledger))
    con.register("_reservations", _reservations(ledger))
    con.execute(_LINES_SQL, [start.isoformat(), until.isoformat()])
    con.execute(_COVER_SQL)
    months = [r[0] for r in con.execute(
        "SELECT DISTINCT date_trunc('month', h) FROM usage_lines ORDER BY 1").fetchall()]
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("estate-bill-*.parquet"):
        old.unlink()  # the bill is rewritten whole from the ledger
    files, lines = [], 0
    for month in months:
        path = out_dir / f"estate-bill-{month:%Y-%m}.parquet"
        tmp = path.with_suffix(".tmp")
        params = [INVOICE, payer, ledger.inventoried_at, DESCRIPTION, DESCRIPTION,
                  month.isoformat()]
        con.execute(f"CREATE OR REPLACE TEMP TABLE _month AS {_OUT_SQL}", params)
        con.execute(f"COPY _month TO '{tmp}' (FORMAT PARQUET, COMPRESSION zstd)")
        lines += con.execute("SELECT count(*) FROM _month").fetchall()[0][0]
        tmp.replace(path)
        files.append(str(path))
    (out_dir / "SOURCE.md").write_text(SOURCE_MD.format(inventoried_at=ledger.inventoried_at,
                                                        until=until.isoformat()))
    totals = con.execute(
        "SELECT sum(line_item_unblended_cost), sum(CASE line_item_line_item_type "
        "WHEN 'DiscountedUsage' THEN reservation_effective_cost WHEN 'RIFee' THEN "
        "reservation_unused_recurring_fee ELSE line_item_unblended_cost END) "
        f"FROM read_parquet([{', '.join(repr(f) for f in files)}])").fetchall()[0]
    return BillSummary(files, lines, start.isoformat(), until.isoformat(),
                       float(totals[0] or 0), float(totals[1] or 0))
