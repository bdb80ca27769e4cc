"""Realized savings: what a resolved finding saved, measured on the bill.

For each resolved finding (the lifecycle decides: a later complete scan of its scope no longer
reports it) with a resource billed under the same canonical ARN, the resource's amortized daily
cost (`cost_effective`, else `cost_primary`) before the fix is compared with its daily cost after:

- before = up to `window_days` full UTC days ending the day before the finding's last sighting
  (the waste was still there), starting no earlier than the resource's first fully billed day;
- after = every full UTC day after the day of resolution up to `as_of` (the fix happened between
  the last sighting and the resolving scan, so those days are transition days and never count);
- a day counts only when the tenant's bill covers it completely (hourly bills start and stop
  mid-day: the first and last partial days of the facts are excluded, as is the resource's first
  day when its first billed hour is not 00:00). A resource with no lines after the fix costs 0.

realized monthly = (before/day - after/day) x 730/24 (AWS's 730-hour month, as the estimates).
Method `exact_resource`; confidence 0.9 x min(1, days before / 7) x min(1, days after / 7).

Usage-line fallback (method `usage_line`): a resolved finding whose resource the bill does not
name (named differently, or a removed resource whose lines carry no resource id) is measured on
its usage lines instead: the daily cost of every usage line of the same account, region and
usage type (region prefix ignored; `details.price_terms` say which usage types the estimate
priced, through `bill_rates.usage_of`), before vs after, in the same windows, signed as the
terms are (a fix that moves gp2 to gp3 saves the gp2 line's drop minus the gp3 line's rise).
The lines of resources measured exactly are left out of the usage line (their change is
theirs), and several fallback findings on one line share its change in proportion to their
estimates (equally when none has one), so a drop is never counted twice. The tenant's
totals keep the two apart: `realized_monthly` (exact, one figure per resource however many
findings name it) and `realized_monthly_usage_line`. Anything else on that line
moves the figure too, hence confidence 0.5 x the same day factors.
A finding without either has no realized figure (method `none`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from jobs.bill_rates import _details, _terms, bare_usage_type, usage_of
from jobs.cur.enrich import facts_relation, parquet_files
from jobs.facts_cache import cached

log = logging.getLogger(__name__)
WINDOW_DAYS = 14
FULL_CONFIDENCE_DAYS = 7
DAYS_PER_MONTH = Decimal(730) / Decimal(24)
CENT = Decimal("0.01")
EXACT, USAGE, NONE = "exact_resource", "usage_line", "none"
USAGE_CONFIDENCE = 0.5


@dataclass(frozen=True)
class Realized:
    fingerprint: str
    check_id: str
    resource_id: str | None
    account_id: str
    region: str
    state: str
    first_seen: str | None
    last_seen: str | None
    resolved_at: str | None
    estimated_monthly: str | None
    realized_monthly: str | None
    cost_per_day_before: str | None
    cost_per_day_after: str | None
    days_before: int
    days_after: int
    before_period: list[str] | None  # [first day, last day] (inclusive, ISO dates)
    after_period: list[str] | None
    realized_to_date: str | None  # (before - after)/day x days after
    method: str
    confidence: float


_FIELDS = [f.name for f in fields(Realized)]


def _day(ts: datetime) -> date:
    return ts.date()


def _full_day_after(ts: datetime) -> date:
    """The first day starting at or after `ts` (a day is full only from its 00:00)."""
    return ts.date() if ts.time() == time(0) else ts.date() + timedelta(days=1)


def _money(value: Decimal | float | None) -> str | None:
    if value is None:
        return None
    return str(Decimal(repr(value) if isinstance(value, float) else value)
               .quantize(CENT, rounding=ROUND_HALF_EVEN))


def daily_costs(facts_dir: Path | str, tenant: str, resources: Iterable[str],
                con: duckdb.DuckDBPyConnection | None = None
                ) -> tuple[dict[str, dict[date, float]], dict[str, datetime], tuple[date, date] | None]:
    """Per resource: {day: cost}; its first billed hour; and the tenant's fully covered days
    [first, last) as dates (None without facts)."""
    files = parquet_files(facts_dir)
    wanted = sorted(set(resources))
    if not files:
        return {}, {}, None
    con = con or duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    facts = facts_relation(files)
    first_hour, end, _generated = _per_tenant(facts_dir).get(tenant, (None, None, False))
    if first_hour is None or end is None:
        return {}, {}, None
    covered = (_full_day_after(first_hour), _day(end))  # [first full day, day holding the end)
    if not wanted:
        return {}, {}, covered
    con.register("_realized_resources", pa.table({"resource_id": pa.array(wanted, pa.string())}))
    try:
        rows = con.execute(f"""
            SELECT f.resource_id, CAST(date_trunc('day', f.usage_start) AS DATE) AS d,
                   sum(COALESCE(f.cost_effective, f.cost_primary)) AS cost,
                   min(f.usage_start) AS first_hour
            FROM {facts} f JOIN _realized_resources r USING (resource_id)
            WHERE f.tenant_id = ? GROUP BY ALL""", [tenant]).fetchall()
    finally:
        con.unregister("_realized_resources")
    by_day: dict[str, dict[date, float]] = {}
    first: dict[str, datetime] = {}
    for rid, d, cost, first_hour in rows:
        by_day.setdefault(rid, {})[d] = float(cost or 0.0)
        first[rid] = min(first.get(rid, first_hour), first_hour)
    return by_day, first, covered


UsageKey = tuple[str, str, str]  # (account, region, usage type without its region prefix)


def usage_daily(facts_dir: Path | str, tenant: str, accounts: Iterable[str],
                exclude: Iterable[str] = (), con: duckdb.DuckDBPyConnection | None = None
                ) -> dict[UsageKey, dict[date, float]]:
    """Per (account, region, bare usage type): {day: amortized cost of its usage lines}, leaving
    out the lines of `exclude` (resources measured exactly: their change is theirs)."""
    files = parquet_files(facts_dir)
    wanted = sorted(set(accounts))
    if not files or not wanted:
        return {}
    con = con or duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    facts = facts_relation(files)
    rows = con.execute(f"""
        SELECT account_id, region, usage_type, CAST(date_trunc('day', usage_start) AS DATE) AS d,
               sum(COALESCE(cost_effective, cost_primary)) AS cost
        FROM {facts}
        WHERE tenant_id = ? AND charge_category = 'Usage' AND usage_type IS NOT NULL
          AND COALESCE(line_item_type, '') <> 'SavingsPlanNegation'
          AND list_contains(?, account_id)
          AND (resource_id IS NULL OR NOT list_contains(?, resource_id))
        GROUP BY ALL""", [tenant, wanted, sorted(set(exclude))]).fetchall()
    out: dict[UsageKey, dict[date, float]] = {}
    for account, region, usage, d, cost in rows:
        days = out.setdefault((account, region, bare_usage_type(usage)), {})
        days[d] = days.get(d, 0.0) + float(cost or 0.0)
    return out


def usage_terms(row: Mapping[str, Any]) -> list[tuple[UsageKey, int]]:
    """The usage lines a finding's estimate priced, with the terms' signs."""
    out = []
    for key, _qty, sign in _terms(_details(row.get("details"))):
        usage = usage_of(key)
        if usage is not None:
            out.append(((str(row["account_id"]), str(row["region"]), usage[0]), sign))
    return out


def measure(findings: Iterable[Mapping[str, Any]], facts_dir: Path | str | None, tenant: str,
            as_of: datetime | None = None, window_days: int = WINDOW_DAYS) -> list[Realized]:
    """Realized savings for every finding row (fingerprint, check_id, resource_id, account_id,
    region, lifecycle_state, first_seen, last_seen, resolved_at, estimated_monthly_savings);
    rows that are not resolved are returned with the estimate only."""
    rows = list(findings)
    resolved = [r for r in rows if r.get("lifecycle_state") == "resolved" and r.get("resource_id")]
    by_day: dict[str, dict[date, float]] = {}
    first: dict[str, datetime] = {}
    covered = None
    if facts_dir is not None and resolved:
        wanted = tuple(sorted({str(r["resource_id"]) for r in resolved}))
        # the same resolved set is measured again by every window until the bill changes
        by_day, first, covered = cached("daily_costs", facts_dir,
                                        lambda: daily_costs(facts_dir, tenant, wanted),
                                        tenant, wanted)
    if covered is not None and as_of is not None:
        covered = (covered[0], min(covered[1], _day(as_of)))
    fallback = [r for r in resolved if str(r["resource_id"]) not in by_day and usage_terms(r)]
    lines: dict[UsageKey, dict[date, float]] = {}
    if facts_dir is not None and fallback and covered is not None:
        lines = usage_daily(facts_dir, tenant, [str(r["account_id"]) for r in fallback],
                            exclude=by_day)
    shares = _shares(fallback)
    out = []
    for r in sorted(rows, key=lambda x: str(x["fingerprint"])):
        one = _one(r, by_day, first, covered, window_days)
        if one.method == NONE and str(r["fingerprint"]) in shares:
            one = _by_usage(r, one, lines, shares[str(r["fingerprint"])], covered, window_days)
        out.append(one)
    return out


def _shares(rows: list[Mapping[str, Any]]) -> dict[str, dict[UsageKey, Decimal]]:
    """Each fallback finding's share of each usage line it names (by estimate, else equal)."""
    by_line: dict[UsageKey, list[tuple[str, Decimal]]] = {}
    for r in rows:
        est = r.get("estimated_monthly_savings")
        weight = Decimal(str(est)) if est is not None and Decimal(str(est)) > 0 else None
        for key, _sign in usage_terms(r):
            by_line.setdefault(key, []).append((str(r["fingerprint"]), weight or Decimal(0)))
    out: dict[str, dict[UsageKey, Decimal]] = {}
    for key, members in by_line.items():
        total = sum(w for _, w in members)
        for fp, w in members:
            share = w / total if total > 0 else Decimal(1) / len(members)
            out.setdefault(fp, {})[key] = share
    return out


def _by_usage(r: Mapping[str, Any], base: Realized, lines: Mapping[UsageKey, Mapping[date, float]],
              shares: Mapping[UsageKey, Decimal], covered: tuple[date, date] | None,
              window_days: int) -> Realized:
    terms = [(k, s) for k, s in usage_terms(r) if k in lines]
    if covered is None or not terms or r.get("last_seen") is None or \
            r.get("resolved_at") is None:
        return base
    lo, hi = covered
    first_day = min(min(lines[k]) for k, _ in terms)
    before_end = _day(r["last_seen"])
    before_start = max(lo, first_day, before_end - timedelta(window_days))
    after_start = _day(r["resolved_at"]) + timedelta(days=1)
    before = [before_start + timedelta(i) for i in range((before_end - before_start).days)]
    after = [after_start + timedelta(i) for i in range((hi - after_start).days)]
    if not before or not after:
        return base
    per_before = per_after = Decimal(0)
    for key, sign in terms:
        days, share = lines[key], shares.get(key, Decimal(1))
        per_before += sign * share * Decimal(repr(sum(days.get(d, 0.0) for d in before))) / \
            len(before)
        per_after += sign * share * Decimal(repr(sum(days.get(d, 0.0) for d in after))) / \
            len(after)
    saved = per_before - per_after
    confidence = USAGE_CONFIDENCE * min(1.0, len(before) / FULL_CONFIDENCE_DAYS) * \
        min(1.0, len(after) / FULL_CONFIDENCE_DAYS)
    return replace(
        base, realized_monthly=_money(saved * DAYS_PER_MONTH),
        cost_per_day_before=_money(per_before), cost_per_day_after=_money(per_after),
        days_before=len(before), days_after=len(after),
        before_period=[before[0].isoformat(), before[-1].isoformat()],
        after_period=[after[0].isoformat(), after[-1].isoformat()],
        realized_to_date=_money(saved * len(after)), method=USAGE,
        confidence=round(confidence, 3))


def _iso(ts: Any) -> str | None:
    return None if ts is None else ts.isoformat()


def _one(r: Mapping[str, Any], by_day: Mapping[str, Mapping[date, float]],
         first: Mapping[str, datetime], covered: tuple[date, date] | None,
         window_days: int) -> Realized:
    est = r.get("estimated_monthly_savings")
    base: dict[str, Any] = dict(fingerprint=str(r["fingerprint"]), check_id=str(r["check_id"]),
                resource_id=r.get("resource_id"), account_id=str(r["account_id"]),
                region=str(r["region"]), state=str(r.get("lifecycle_state")),
                first_seen=_iso(r.get("first_seen")), last_seen=_iso(r.get("last_seen")),
                resolved_at=_iso(r.get("resolved_at")),
                estimated_monthly=None if est is None else _money(Decimal(str(est))))
    empty: dict[str, Any] = dict(realized_monthly=None, cost_per_day_before=None,
                                 cost_per_day_after=None,
                 days_before=0, days_after=0, before_period=None, after_period=None,
                 realized_to_date=None, method=NONE, confidence=0.0)
    rid = r.get("resource_id")
    if (r.get("lifecycle_state") != "resolved" or covered is None or rid not in by_day
            or r.get("last_seen") is None or r.get("resolved_at") is None):
        return Realized(**base, **empty)
    days = by_day[str(rid)]
    lo, hi = covered
    before_end = _day(r["last_seen"])  # exclusive: the last sighting's day is a transition day
    before_start = max(lo, _full_day_after(first[str(rid)]), before_end - timedelta(window_days))
    after_start = _day(r["resolved_at"]) + timedelta(days=1)
    before = [before_start + timedelta(i) for i in range((before_end - before_start).days)]
    after = [after_start + timedelta(i) for i in range((hi - after_start).days)]
    if not before or not after:
        return Realized(**base, **{**empty, "days_before": len(before),
                                   "days_after": len(after)})
    per_before = Decimal(repr(sum(days.get(d, 0.0) for d in before))) / len(before)
    per_after = Decimal(repr(sum(days.get(d, 0.0) for d in after))) / len(after)
    saved_per_day = per_before - per_after
    confidence = 0.9 * min(1.0, len(before) / FULL_CONFIDENCE_DAYS) * \
        min(1.0, len(after) / FULL_CONFIDENCE_DAYS)
    return Realized(
        **base,
        realized_monthly=_money(saved_per_day * DAYS_PER_MONTH),
        cost_per_day_before=_money(per_before), cost_per_day_after=_money(per_after),
        days_before=len(before), days_after=len(after),
        before_period=[before[0].isoformat(), before[-1].isoformat()],
        after_period=[after[0].isoformat(), after[-1].isoformat()],
        realized_to_date=_money(saved_per_day * len(after)),
        method=EXACT, confidence=round(confidence, 3))


def report(tenant: str, items: list[Realized], as_of: datetime | None,
           counted: set[str] | None = None) -> dict[str, Any]:
    """The per-tenant view: estimated open vs realized, per finding and per check. `counted`:
    the fingerprints the headline counts (superseded alternatives and suppressed findings left
    out); without it every open finding adds to the estimate open."""
    def total(values: Iterable[str | None]) -> str:
        return str(sum((Decimal(v) for v in values if v is not None), Decimal("0.00")))

    # the month holding the last instant before as_of (as_of is exclusive, as in enrichment)
    month = (as_of - timedelta(microseconds=1)).strftime("%Y-%m") if as_of is not None else None
    measured = [i for i in items if i.realized_monthly is not None]
    once = _once([i for i in measured if i.method == EXACT])
    by_line = [i for i in measured if i.method == USAGE]
    by_check: dict[str, dict[str, Any]] = {}
    for i in measured:
        c = by_check.setdefault(i.check_id, {"resolved_measured": 0, "estimated": [],
                                             "realized": []})
        c["resolved_measured"] += 1
        c["estimated"].append(i.estimated_monthly)
        c["realized"].append(i.realized_monthly)
    errors = {}
    for check, c in sorted(by_check.items()):
        est, real = Decimal(total(c["estimated"])), Decimal(total(c["realized"]))
        errors[check] = {"findings": c["resolved_measured"], "estimated_monthly": str(est),
                         "realized_monthly": str(real),
                         "realized_over_estimated": None if est == 0 else
                         float((real / est).quantize(Decimal("0.001")))}
    return {
        "tenant_id": tenant,
        "as_of": None if as_of is None else as_of.isoformat(),
        "estimated_open_monthly": total(i.estimated_monthly for i in items
                                        if i.state != "resolved"
                                        and (counted is None or i.fingerprint in counted)),
        "realized_monthly": total(i.realized_monthly for i in once),
        "realized_this_month": total(i.realized_monthly for i in once
                                     if month and (i.resolved_at or "")[:7] == month),
        "realized_to_date": total(i.realized_to_date for i in once),
        # measured on shared usage lines (lower confidence; others on the line move it too)
        "realized_monthly_usage_line": total(i.realized_monthly for i in by_line),
        "resolved": sum(1 for i in items if i.state == "resolved"),
        "resolved_measured": len(measured),
        "estimate_error_by_check": errors,
        "method": ("daily amortized cost of the resource, full UTC days only: before = up to "
                   f"{WINDOW_DAYS} days before the last sighting's day, after = days after the "
                   "resolution day; x 730/24 days a month. Without lines for the resource: "
                   "its usage lines (account, region, usage type) less the resources measured "
                   "exactly, shared among the findings on them (method usage_line, lower "
                   "confidence; totalled apart as realized_monthly_usage_line); a resource "
                   "named by several findings counts once in the totals"),
        "findings": [_plain(i) for i in items],
    }


def _plain(item: Realized) -> dict[str, Any]:
    """The item as a JSON-ready dict; `dataclasses.asdict` deep-copies every value, which made
    this the slowest step of a window with many findings."""
    out = {name: getattr(item, name) for name in _FIELDS}
    for name in ("before_period", "after_period"):
        if out[name] is not None:
            out[name] = list(out[name])
    return out


def _once(items: list[Realized]) -> list[Realized]:
    """A resource's saving is realized once, however many findings name it (an idle instance
    that also lacks commitment coverage; an unattached volume that is also gp2): the tenant's
    totals take one exact measurement per resource (the findings' own figures are all kept)."""
    seen: set[tuple[str, str]] = set()
    out = []
    for i in items:
        key = (i.method, str(i.resource_id) if i.method == EXACT else i.fingerprint)
        if key not in seen:
            seen.add(key)
            out.append(i)
    return out


def facts_end(facts_dir: Path | str | None, tenant: str) -> datetime | None:
    """The end of the tenant's last billed hour (None without facts)."""
    return _per_tenant(facts_dir).get(tenant, (None, None, False))[1]


def generated_bill(facts_dir: Path | str | None, tenant: str) -> bool:
    """Whether the tenant's bill is the simulated estate's generated one (demo): its lines carry
    the cost-allocation tag `generated_for` = demo (estate/bill.py)."""
    return _per_tenant(facts_dir).get(tenant, (None, None, False))[2]


Span = tuple[datetime | None, datetime | None, bool]


def _per_tenant(facts_dir: Path | str | None) -> dict[str, Span]:
    """Every tenant's first billed hour, last billed instant and generated-bill flag: one scan
    per state of the facts (jobs/facts_cache.py), not three per tenant and window."""
    def scan() -> dict[str, Span]:
        files = parquet_files(facts_dir)
        if not files:
            return {}
        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        facts = facts_relation(files)
        rows = con.execute(
            f"SELECT tenant_id, min(usage_start), max(COALESCE(usage_end, usage_start)),"
            f" coalesce(bool_or(list_contains(map_keys(tags), 'generated_for')), false)"
            f" FROM {facts} GROUP BY tenant_id").fetchall()
        return {t: (start, end, bool(gen)) for t, start, end, gen in rows}
    return cached("realized_per_tenant", facts_dir, scan)
