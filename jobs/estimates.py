"""The window's re-pricing of every finding at once: `bill_rates.reprice`'s figures, in SQL.

`bill_rates.reprice` is the readable reference (one finding, every term with its rate, basis and
bill lines). A window prices all of a tenant's findings, so here the same lookups are joins over
the whole set: each finding's terms are matched to the resource's own rate, else the account +
region's, else the payer + region's, else the finding's list price, and a term none of them
prices leaves the estimate unknown (never 0). Python runs once per distinct value only: each
`price_terms` / `prices` text is parsed once, each catalog key mapped to a usage type once, each
usage type stripped of its region prefix once, and each distinct combination of (quantity, sign,
rate) summed once in `Decimal`, as `reprice` sums it. A pooled rate adds its rows in the order
`RateBook` does (`list_reduce` over the ordered list: Python's left-to-right float sum), so the
figures equal `reprice`'s to the cent (pinned by tests/jobs/test_bill_rates.py::
test_window_hook_equals_reprice_of_each_finding).

The coverage check's re-pricing (the discount the customer's own commitments give) is a pooled
scan over the account's usage types; those findings are few and go through `reprice` itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from contracts.schema import MONEY
from jobs.bill_rates import (
    CENT,
    COMMITMENT_CHECK,
    RateBook,
    _parse_prices,
    _parse_terms,
    bare_usage_type,
    derive_rates,
    reprice,
    usage_of,
)
from jobs.facts_cache import cached

log = logging.getLogger(__name__)

ESTIMATE_FIELDS: list[pa.Field] = [
    pa.field("estimate_list", MONEY, nullable=True),  # at the catalog's list prices
    pa.field("estimate_bill", MONEY, nullable=True),  # at the customer's rates (None: none known)
    pa.field("estimate_shown", MONEY, nullable=True),  # the one to show
    pa.field("estimate_basis", pa.string(), nullable=False),  # bill, bill+list, list, unknown
]
_COLS = ["tenant_id", "account_id", "region", "resource_id", "check_id", "details",
         "estimated_monthly_savings"]


def tenant_rates(facts_dir: Path, tenant: str, provenance: bool = False) -> pa.Table:
    """`derive_rates(facts_dir, tenant=tenant, provenance=provenance)`: the rates of every
    tenant are derived in one pass per state of the facts (the window's end is the facts'
    latest usage end, whoever's it is; a tenant is a group key), and the tenant's rows taken in
    the table's order. The figures need no provenance; `reprice`'s terms cite it."""
    every = cached("rates", facts_dir, lambda: derive_rates(facts_dir, provenance=provenance),
                   provenance)
    if not every.num_rows:
        return every
    return every.filter(pc.equal(every.column("tenant_id"), tenant))


def estimate_columns(findings: pa.Table, facts_dir: Path | None, tenant: str,
                     rates: pa.Table | None = None) -> pa.Table:
    """ESTIMATE_FIELDS for `findings` (tenant_id, account_id, region, resource_id, check_id,
    details, estimated_monthly_savings), row for row. `rates`: the tenant's `derive_rates`
    (read from `facts_dir` when not given). Without facts, or when rates cannot be read, every
    estimate is the list one (logged): bill pricing refines, it never blocks the window."""
    pooled = _pooled_for(facts_dir, tenant, rates)

    def book() -> RateBook:  # for `reprice` itself, whose terms cite the rates' provenance
        full = rates if rates is not None else _read(facts_dir, tenant, provenance=True)
        return RateBook.from_table(full)

    table = findings.select(_COLS)
    if not pa.types.is_string(table.schema.field("details").type):
        return _per_row(table, book())
    con = duckdb.connect()
    try:
        return _priced_sql(con, table, pooled, book)
    except _NotJson:  # details that are not JSON text: the per-row path says what it can
        return _per_row(table, book())
    finally:
        con.close()


def _read(facts_dir: Path | None, tenant: str, provenance: bool) -> pa.Table:
    if facts_dir is not None and facts_dir.is_dir():
        try:
            return tenant_rates(facts_dir, tenant, provenance)
        except _UNREADABLE as exc:
            _unavailable(facts_dir, tenant, exc)
    return pa.table({})


def _pooled_for(facts_dir: Path | None, tenant: str, rates: pa.Table | None
                ) -> dict[str, pa.Table]:
    """The pooled rates of `rates`, or of the tenant's rates in the facts (kept per state of
    the facts: every window prices the tenant's findings against the same pools)."""
    if rates is not None:
        return pooled_rates(rates)
    if facts_dir is not None and facts_dir.is_dir():
        try:
            return cached("pooled_rates", facts_dir,
                          lambda: pooled_rates(tenant_rates(facts_dir, tenant)), tenant)
        except _UNREADABLE as exc:
            _unavailable(facts_dir, tenant, exc)
    return pooled_rates(pa.table({}))


_UNREADABLE = (duckdb.Error, OSError, ValueError, KeyError)


def _unavailable(facts_dir: Path, tenant: str, exc: Exception) -> None:
    log.warning("bill rates unavailable; estimates stay at list price",
                extra={"tenant": tenant, "facts_dir": str(facts_dir), "error": str(exc)})


class _NotJson(Exception):
    pass


def _per_row(table: pa.Table, book: RateBook) -> pa.Table:
    return _to_table([reprice(row, book) for row in table.to_pylist()])


def _to_table(out: list[Any]) -> pa.Table:
    return pa.table({
        "estimate_list": pa.array([r.list_estimate for r in out], MONEY),
        "estimate_bill": pa.array([r.bill_estimate for r in out], MONEY),
        "estimate_shown": pa.array([r.shown for r in out], MONEY),
        "estimate_basis": pa.array([r.shown_basis for r in out], pa.string()),
    })


def _priced_sql(con: duckdb.DuckDBPyConnection, table: pa.Table, pooled: dict[str, pa.Table],
                book: Callable[[], RateBook]) -> pa.Table:
    con.register("_f", table.append_column("row_no", pa.array(range(table.num_rows), pa.int64())))
    try:
        con.execute("CREATE TEMP TABLE _fx AS SELECT row_no, tenant_id, account_id, region,"
                    " resource_id, check_id, estimated_monthly_savings,"
                    " json_extract_string(details, '$.price_terms') AS t,"
                    " json_extract_string(details, '$.prices') AS p FROM _f")
    except duckdb.Error as exc:
        raise _NotJson(str(exc)) from exc
    finally:
        con.unregister("_f")
    _term_tables(con)
    for name, pool in pooled.items():
        con.register(name, pool)
    con.execute(_TERMS_SQL)
    _combo_amounts(con)
    _commitment_rows(con, table, book)
    return con.sql(_RESULT_SQL).to_arrow_table().select(
        [f.name for f in ESTIMATE_FIELDS]).cast(pa.schema(ESTIMATE_FIELDS))


def _term_tables(con: duckdb.DuckDBPyConnection) -> None:
    """`_terms` (t, idx, key, qty, sign), `_prices` (p, key, price), `_keys` (key, ut, op): each
    distinct text parsed once, each distinct key mapped to its usage type once."""
    terms: dict[str, list] = {"t": [], "idx": [], "key": [], "qty": [], "sign": []}
    for (text,) in con.execute("SELECT DISTINCT t FROM _fx WHERE t IS NOT NULL").fetchall():
        for i, (key, qty, sign) in enumerate(_parse_terms(text)):
            for name, value in zip(terms, (text, i, key, str(qty), sign), strict=True):
                terms[name].append(value)
    prices: dict[str, list] = {"p": [], "key": [], "price": []}
    for (text,) in con.execute("SELECT DISTINCT p FROM _fx WHERE p IS NOT NULL").fetchall():
        for key, price in _parse_prices(text).items():
            for name, value in zip(prices, (text, key, str(price)), strict=True):
                prices[name].append(value)
    keys = sorted(set(terms["key"]))
    usage = [usage_of(k) for k in keys]
    types = {"t": pa.string(), "idx": pa.int32(), "key": pa.string(), "qty": pa.string(),
             "sign": pa.int32()}
    con.register("_terms_a", pa.table({n: pa.array(terms[n], t) for n, t in types.items()}))
    con.register("_prices_a", pa.table({n: pa.array(v, pa.string()) for n, v in prices.items()}))
    con.register("_keys_a", pa.table({
        "key": pa.array(keys, pa.string()),
        "ut": pa.array([u[0] if u else None for u in usage], pa.string()),
        "op": pa.array([u[1] if u else None for u in usage], pa.string())}))
    for name in ("_terms", "_prices", "_keys"):
        con.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM {name}_a")
        con.unregister(f"{name}_a")


# A pooled rate: cost and usage of the rows added left to right in `RateBook`'s order (`_ri`:
# the rate table's row order; any operation: operations in order of first appearance).
_POOL = ("count(*) AS n, list_reduce(list(cost_effective ORDER BY {o}), lambda a, b: a + b) AS cost,"
         " list_reduce(list(usage_amount ORDER BY {o}), lambda a, b: a + b) AS usage")


_POOLED = ("_r_op", "_r_any", "_a_op", "_a_any", "_p_op", "_p_any", "_payer")


def pooled_rates(rates: pa.Table) -> dict[str, pa.Table]:
    """`_rate_tables` of `rates`, as Arrow tables by name."""
    con = duckdb.connect()
    try:
        _rate_tables(con, rates)
        return {name: con.sql(f"SELECT * FROM {name}").to_arrow_table() for name in _POOLED}
    finally:
        con.close()


def _rate_tables(con: duckdb.DuckDBPyConnection, rates: pa.Table) -> None:
    """Pooled rates per resource, account + region and payer + region (bare usage type, with
    and without the operation), and each account's payer (the last one the rates name, as
    `RateBook.payer_of`)."""
    need = ["tenant_id", "billing_account_id", "account_id", "region", "resource_id",
            "usage_type", "operation", "usage_amount", "cost_effective"]
    if rates.num_rows:
        r = rates.select(need)
        types = sorted(set(r.column("usage_type").to_pylist()), key=lambda u: (u is None, u))
        con.register("_ut_a", pa.table({"usage_type": pa.array(types, pa.string()), "but": pa.array(
            [bare_usage_type(u) for u in types], pa.string())}))
    else:
        r = pa.table({n: pa.array([], pa.string()) for n in need[:7]}
                     | {n: pa.array([], pa.float64()) for n in need[7:]})
        con.register("_ut_a", pa.table({"usage_type": pa.array([], pa.string()),
                                        "but": pa.array([], pa.string())}))
    con.register("_rates_a", r.append_column("_ri", pa.array(range(r.num_rows), pa.int64())))
    try:
        con.execute("""CREATE TEMP TABLE _rates AS SELECT r.*, u.but FROM _rates_a r
                       JOIN _ut_a u ON u.usage_type IS NOT DISTINCT FROM r.usage_type""")
    finally:
        con.unregister("_rates_a")
        con.unregister("_ut_a")
    ordered = "_ri"
    by_op = "_first, _ri"
    con.execute(f"""CREATE TEMP TABLE _r_op AS SELECT tenant_id, resource_id, but, operation,
                    {_POOL.format(o=ordered)} FROM _rates WHERE resource_id IS NOT NULL
                    GROUP BY ALL""")
    con.execute(f"""CREATE TEMP TABLE _r_any AS SELECT tenant_id, resource_id, but,
                    {_POOL.format(o=ordered)} FROM _rates WHERE resource_id IS NOT NULL
                    GROUP BY ALL""")
    for name, who, where in (("_a", "account_id", "TRUE"),
                             ("_p", "billing_account_id",
                              "coalesce(billing_account_id, '') <> ''")):
        con.execute(f"""CREATE TEMP TABLE {name}_op AS SELECT tenant_id, {who} AS who, region,
                        but, operation, {_POOL.format(o=ordered)} FROM _rates
                        WHERE resource_id IS NULL AND {where} GROUP BY ALL""")
        con.execute(f"""CREATE TEMP TABLE {name}_any AS SELECT tenant_id, who, region, but,
                        {_POOL.format(o=by_op)} FROM (
                          SELECT *, {who} AS who, min(_ri) OVER (PARTITION BY tenant_id, {who},
                                 region, but, operation) AS _first
                          FROM _rates WHERE resource_id IS NULL AND {where})
                        GROUP BY ALL""")
    con.execute("""CREATE TEMP TABLE _payer AS SELECT tenant_id, account_id,
                   arg_max(billing_account_id, _ri) AS payer FROM _rates
                   WHERE resource_id IS NULL AND coalesce(billing_account_id, '') <> ''
                   GROUP BY ALL""")


def _level(alias: str, on: str) -> str:
    """LEFT JOINs of one level's pooled rates: by operation when the key names one, else any."""
    return (f" LEFT JOIN {alias}_op {alias}o ON {on.format(x=alias + 'o')}"
            f" AND k.op IS NOT NULL AND {alias}o.operation = k.op"
            f" LEFT JOIN {alias}_any {alias}y ON {on.format(x=alias + 'y')} AND k.op IS NULL")


# One row per (finding, term): the rate of the first level that has rows for the term (a
# level with rows decides, as in `RateBook._rate`), else the list price, else unknown.
_TERMS_SQL = (
    """CREATE TEMP TABLE _ft AS
    WITH j AS (
      SELECT f.row_no, t.idx, t.qty, t.sign, k.ut, pr.price,
             coalesce(_ro.n, _ry.n) AS rn, coalesce(_ro.cost, _ry.cost) AS rc,
             coalesce(_ro.usage, _ry.usage) AS ru,
             coalesce(_ao.n, _ay.n) AS an, coalesce(_ao.cost, _ay.cost) AS ac,
             coalesce(_ao.usage, _ay.usage) AS au,
             coalesce(_po.n, _py.n) AS pn, coalesce(_po.cost, _py.cost) AS pc,
             coalesce(_po.usage, _py.usage) AS pu
      FROM _fx f JOIN _terms t ON t.t = f.t JOIN _keys k ON k.key = t.key
      LEFT JOIN _prices pr ON pr.p = f.p AND pr.key = t.key
      LEFT JOIN _payer pay ON pay.tenant_id = f.tenant_id AND pay.account_id = f.account_id"""
    + _level("_r", "{x}.tenant_id = f.tenant_id AND {x}.resource_id = f.resource_id"
                   " AND {x}.but = k.ut")
    + _level("_a", "{x}.tenant_id = f.tenant_id AND {x}.who = f.account_id"
                   " AND {x}.region = f.region AND {x}.but = k.ut")
    + _level("_p", "{x}.tenant_id = f.tenant_id AND {x}.who = pay.payer"
                   " AND {x}.region = f.region AND {x}.but = k.ut")
    + """ WHERE f.check_id IS DISTINCT FROM '""" + COMMITMENT_CHECK + """'
    ), pooled AS (
      SELECT row_no, idx, qty, sign, price,
             CASE WHEN ut IS NULL THEN NULL
                  WHEN rn > 0 THEN CASE WHEN ru > 0 THEN rc / ru END
                  WHEN an > 0 THEN CASE WHEN au > 0 THEN ac / au END
                  WHEN pn > 0 THEN CASE WHEN pu > 0 THEN pc / pu END END AS rate
      FROM j
    )
    SELECT row_no, idx, qty, sign, rate, CASE WHEN rate IS NULL THEN price END AS price,
           rate IS NOT NULL AS from_bill
    FROM pooled""")


def _combo_amounts(con: duckdb.DuckDBPyConnection) -> None:
    """Table `_fe` (row_no, terms, unknown, from_bill, amount): each distinct list of
    (quantity, sign, rate or list price) summed once, in Decimal as `reprice` sums it. Most
    findings price one term: those are matched on the term itself (a join on three scalars),
    only the several-term lists are grouped as lists."""
    con.execute("""CREATE TEMP TABLE _fc AS
                   SELECT row_no, count(*) AS terms,
                          bool_or(rate IS NULL AND price IS NULL) AS unknown,
                          count(*) FILTER (WHERE from_bill) AS from_bill,
                          CASE WHEN count(*) = 1 THEN any_value(qty) END AS q,
                          CASE WHEN count(*) = 1 THEN any_value(sign) END AS s,
                          CASE WHEN count(*) = 1 THEN any_value(rate) END AS r,
                          CASE WHEN count(*) > 1 THEN list({'q': qty, 's': sign, 'r': rate,
                                                            'p': price} ORDER BY idx) END AS combo
                   FROM _ft GROUP BY row_no""")
    priced = "NOT unknown AND from_bill > 0"  # a single priced term is a bill rate: r not NULL
    singles = con.execute(f"SELECT DISTINCT q, s, r FROM _fc WHERE terms = 1 AND {priced}"
                          ).fetchall()
    con.execute(f"""CREATE TEMP TABLE _combos AS SELECT row_number() OVER () AS combo_id, combo
                    FROM (SELECT DISTINCT combo FROM _fc WHERE terms > 1 AND {priced})""")
    combos = con.execute("SELECT combo_id, combo FROM _combos").fetchall()
    con.register("_singles_a", pa.table({
        "q": pa.array([q for q, _s, _r in singles], pa.string()),
        "s": pa.array([s for _q, s, _r in singles], pa.int32()),
        "r": pa.array([r for _q, _s, r in singles], pa.float64()),
        "amount": pa.array([_sum([{"q": q, "s": s, "r": r, "p": None}]) for q, s, r in singles],
                           MONEY)}))
    con.register("_amounts_a", pa.table({
        "combo_id": pa.array([i for i, _c in combos], pa.int64()),
        "amount": pa.array([_sum(c) for _i, c in combos], MONEY)}))
    try:
        con.execute(f"""CREATE TEMP TABLE _fe AS
                        SELECT c.row_no, c.terms, c.unknown, c.from_bill,
                               coalesce(one.amount, a.amount) AS amount
                        FROM _fc c
                        LEFT JOIN _singles_a one ON c.terms = 1 AND {priced}
                             AND one.q = c.q AND one.s = c.s AND one.r = c.r
                        LEFT JOIN _combos k ON c.terms > 1 AND k.combo = c.combo
                        LEFT JOIN _amounts_a a ON a.combo_id = k.combo_id""")
    finally:
        con.unregister("_singles_a")
        con.unregister("_amounts_a")


def _sum(terms: list[dict[str, Any]]) -> Decimal:
    """sign x quantity x rate (the bill's, else the list price) summed as `reprice` sums it."""
    total = Decimal(0)
    for term in terms:
        rate = Decimal(repr(term["r"])) if term["r"] is not None else Decimal(term["p"])
        total += term["s"] * Decimal(term["q"]) * rate
    return total.quantize(CENT, rounding=ROUND_HALF_EVEN)


def _commitment_rows(con: duckdb.DuckDBPyConnection, table: pa.Table,
                     book: Callable[[], RateBook]) -> None:
    """Table `_fk`: the coverage check's findings, through `reprice` (few per window)."""
    rows = con.execute(f"SELECT row_no FROM _fx WHERE check_id = '{COMMITMENT_CHECK}'"
                       " ORDER BY row_no").fetchall()
    idx = [r[0] for r in rows]
    out: list[Any] = []
    if idx:
        rates = book()
        out = [reprice(row, rates) for row in table.take(idx).to_pylist()]
    priced = _to_table(out).append_column("row_no", pa.array(idx, pa.int64()))
    con.register("_fk_a", priced)
    try:
        con.execute("CREATE TEMP TABLE _fk AS SELECT * FROM _fk_a")
    finally:
        con.unregister("_fk_a")


_LISTED = "CAST(f.estimated_monthly_savings AS DECIMAL(18,2))"
_RESULT_SQL = f"""
SELECT CASE WHEN k.row_no IS NOT NULL THEN k.estimate_list ELSE {_LISTED} END AS estimate_list,
       CASE WHEN k.row_no IS NOT NULL THEN k.estimate_bill
            WHEN e.unknown OR e.from_bill = 0 THEN NULL ELSE e.amount END AS estimate_bill,
       CASE WHEN k.row_no IS NOT NULL THEN k.estimate_shown
            WHEN e.row_no IS NULL OR e.unknown OR e.from_bill = 0 THEN {_LISTED}
            ELSE e.amount END AS estimate_shown,
       CASE WHEN k.row_no IS NOT NULL THEN k.estimate_basis
            WHEN e.row_no IS NOT NULL AND NOT e.unknown AND e.from_bill > 0 THEN
                 CASE WHEN e.from_bill = e.terms THEN 'bill' ELSE 'bill+list' END
            WHEN e.row_no IS NOT NULL AND NOT e.unknown THEN 'list'
            WHEN f.estimated_monthly_savings IS NOT NULL THEN 'list' ELSE 'unknown' END
           AS estimate_basis
FROM _fx f LEFT JOIN _fe e USING (row_no) LEFT JOIN _fk k USING (row_no)
ORDER BY f.row_no"""
