"""The data behind each page, computed from one validated snapshot set.

Headline numbers are recomputed from `findings.json` rather than trusted from `summary.json`
so that the overview, the table and the CSV always agree with each other; the writer's own
summary is passed through beside them. Money stays Decimal until it is rendered as a string,
and a cost that is unknown (no CUR) stays null, so the page can say "no billing data"
instead of showing a zero that would read as "costs nothing".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

from web.findings import (
    COST_FIELDS,
    COUNT_STATES,
    UNPRICED_REASONS,
    count_state,
    details_of,
    for_tenant,
    is_lower_bound,
    is_open,
    money,
    public,
    unpriced_reason,
)
from web.snapshots import Snapshot

T = TypeVar("T")
ATTRIBUTION_METHODS = ("exact_resource", "scoped_rollup", "none")


def _str(amount: Decimal | None) -> str | None:
    return None if amount is None else format(amount.quantize(Decimal("0.01")), "f")


money_text = _str  # an amount as the API writes it: 2 decimals, exact


def _first(row: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        if row.get(key) is not None:
            return row[key]
    return None


def findings_of(snap: Snapshot | None) -> list[dict[str, Any]]:
    if snap is None:
        return []
    return snap.cached("findings", lambda: for_tenant(snap.get("findings.json"), snap.tenant))


def correlated_of(snap: Snapshot | None) -> list[dict[str, Any]]:
    if snap is None:
        return []
    return snap.cached("correlated", lambda: for_tenant(snap.get("correlated_findings.json"),
                                                         snap.tenant))


def cached(snap: Snapshot | None, name: str, compute: Callable[[Snapshot | None], T]) -> T:
    """A page's data, computed once per snapshot set (None: nothing to cache)."""
    if snap is None:
        return compute(None)
    return snap.cached(name, lambda: compute(snap))


def is_meta(finding: Mapping[str, Any]) -> bool:
    """A correlated meta-finding; its savings restate its sources', so totals skip it."""
    return bool(finding.get("source_fingerprints"))


def savings_total(findings: list[dict[str, Any]]) -> Decimal:
    """The savings of the given findings, as they are: callers pass the counted ones (the
    writer has already superseded all but one of each group of exclusive alternatives)."""
    return sum((a for a in (money(f.get("estimated_monthly_savings")) for f in findings)
                if a is not None), Decimal(0))


def totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The totals of a list of findings (a filter's selection): how many there are, how many
    count, their savings, and how many of each state are listed but left out."""
    live = [f for f in rows if not is_meta(f) and is_open(f)]
    states: dict[str, int] = {s: 0 for s in COUNT_STATES}
    for f in rows:
        state = count_state(f)
        states[state] = states.get(state, 0) + 1
    return {"findings": len(rows), "counted": len(live),
            "estimated_monthly_savings": _str(savings_total(live)), "by_state": states,
            **unknowns(live)}


def groups(rows: list[dict[str, Any]], key: Callable[[Mapping[str, Any]], str]
           ) -> list[dict[str, Any]]:
    """A selection grouped by `key`: each group's `totals` (counted findings only in the
    savings, unpriced ones counted apart), most savings first, then by name."""
    parts: dict[str, list[dict[str, Any]]] = {}
    for f in rows:
        parts.setdefault(key(f), []).append(f)
    out = [{"key": name, **totals(part)} for name, part in parts.items()]
    out.sort(key=lambda g: (-Decimal(g["estimated_monthly_savings"]), g["key"]))
    return out


def unknowns(live: list[dict[str, Any]]) -> dict[str, Any]:
    """What a savings total over `live` (counted findings) leaves out or only bounds."""
    reasons = {r: 0 for r in UNPRICED_REASONS}
    for f in live:
        reason = unpriced_reason(f)
        if reason is not None:
            reasons[reason] = reasons.get(reason, 0) + 1
    bounds = [f for f in live if is_lower_bound(f)]
    return {"unpriced_findings": {"count": sum(reasons.values()), "by_reason": reasons},
            "lower_bound": {"count": len(bounds),
                            "estimated_monthly_savings": _str(savings_total(bounds))}}


def has_cur(snap: Snapshot | None) -> bool:
    """CUR availability: coverage.json says so, else any finding carries an actual cost."""
    if snap is None:
        return False
    coverage = snap.get("coverage.json")
    for key in ("cur_available", "has_cur", "billing_data"):
        if isinstance(coverage.get(key), bool):
            return bool(coverage[key])
    cur = coverage.get("cur")
    if isinstance(cur, Mapping) and isinstance(cur.get("available"), bool):
        return bool(cur["available"])
    return any(f.get(c) is not None for f in findings_of(snap) for c in COST_FIELDS)


def _group(findings: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for f in findings:
        groups.setdefault(str(f.get(key) or "unknown"), []).append(f)
    totals = sorted(((savings_total(rows), name, rows) for name, rows in groups.items()),
                    key=lambda t: (-t[0], t[1]))
    return [{"key": name, "count": len(rows), "estimated_monthly_savings": _str(amount),
             "unpriced": sum(unpriced_reason(f) is not None for f in rows),
             "lower_bound": sum(is_lower_bound(f) for f in rows)}
            for amount, name, rows in totals]


def _counts(findings: list[dict[str, Any]],
            key: Callable[[Mapping[str, Any]], str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for f in findings:
        name = key(f)
        out[name] = out.get(name, 0) + 1
    return dict(sorted(out.items()))


def trend_points(snap: Snapshot | None) -> list[dict[str, Any]]:
    """trend.json as [{label, estimated_monthly_savings}], whatever the writer's key names."""
    points = []
    for row in snap.get("trend.json") if snap else []:
        if not isinstance(row, Mapping):
            continue
        label = _first(row, "at", "as_of", "observed_at", "scan_at", "ts", "time", "run_id")
        value = money(_first(row, "estimated_monthly_savings", "estimated_savings", "savings",
                             "total_estimated_monthly_savings", "total"))
        point = {"label": None if label is None else str(label),
                 "run_id": row.get("run_id"), "estimated_monthly_savings": _str(value),
                 "status": str(row.get("status") or "unverified")}
        point |= {k: row[k] for k in _RUN_FIGURES if isinstance(row.get(k), int)}
        points.append(point)
    return points


# What a trend point says about its run (jobs/scan_runs.py): a run not `complete` is a running
# sum of what is stored so far, plotted apart from the line of whole runs.
_RUN_FIGURES = ("scopes", "scopes_reported", "scopes_complete", "findings_reported",
                "findings_stored")
WHOLE_RUN = ("complete", "unverified")


def scan_in_progress(snap: Snapshot | None) -> dict[str, Any] | None:
    """The newest scan run when it is still in progress (the headline keeps the previous
    run's findings for its scopes until it completes), else None."""
    runs = (snap.get("summary.json") or {}).get("scan_runs") if snap else None
    latest = (runs or {}).get("latest") if isinstance(runs, Mapping) else None
    if not isinstance(latest, Mapping) or latest.get("status") != "in_progress":
        return None
    return dict(latest)


def overview(snap: Snapshot | None) -> dict[str, Any]:
    """Overview page: headline totals, breakdowns, trend; empty state when no findings."""
    findings = [f for f in findings_of(snap) if not is_meta(f)]
    live = [f for f in findings if is_open(f)]
    cur = has_cur(snap)
    # Only costs billed to the finding's own resource add up; a scope roll-up (a service's
    # cost in an account, say) is shared by many findings and would be counted many times.
    exact = [f for f in live if f.get("attribution_method", "exact_resource") == "exact_resource"]
    known = [a for a in (money(f.get("actual_cost_30d")) for f in exact) if a is not None]
    scoped = [f for f in live if f.get("attribution_method") == "scoped_rollup"
              and money(_first(f, "scope_cost_30d", "actual_cost_30d")) is not None]
    return {
        "empty": not findings,
        "findings_total": len(findings),
        "findings_open": len(live),
        "currency": next((f.get("currency") for f in findings if f.get("currency")), "USD"),
        "estimated_monthly_savings": _str(savings_total(live)),
        # what that total leaves out (unpriced, with why) and how much of it is a lower bound;
        # `unpriced_missing`: the catalog keys / metrics that had no value, per region
        **unknowns(live),
        "unpriced_missing": (snap.get("summary.json").get("unpriced_findings") or {}).get(
            "missing", []) if snap else [],
        "has_cur": cur,
        "actual_cost_30d_covered": _str(sum(known, Decimal(0))) if cur and known else None,
        "findings_with_actual_cost": len(known),
        "findings_with_scoped_cost_only": len(scoped),
        # by_<dim>: the counted findings grouped, with their savings (each sums to the headline)
        "by_service": _group(live, "service"),
        "by_region": _group(live, "region"),
        "by_account": _group(live, "account_id"),
        "by_severity": _group(live, "severity"),
        "by_check": _group(live, "check_id"),
        "by_lifecycle": _group(live, "lifecycle_state"),
        # every finding by why it does or does not count: by_status["counted"] == findings_open
        "by_status": {s: 0 for s in COUNT_STATES} | _counts(findings, count_state),
        "trend": trend_points(snap),
        "scan_in_progress": scan_in_progress(snap),
        # what is worth acting on first: a $0.00 finding stays in the list, not here
        "top_savings": [public(f) for f in (
            for_tenant(snap.get("top_savings.json"), snap.tenant) if snap else [])
            if (money(f.get("estimated_monthly_savings")) or 0) > 0][:10],
        "summary": snap.get("summary.json") if snap else {},
        "realized": realized(snap),
    }


def realized(snap: Snapshot | None) -> dict[str, Any]:
    """Savings the bill shows for resolved findings (realized.json, jobs/realized.py), to stand
    beside the estimate; `available` is False when the set has none measured."""
    doc = (snap.get("realized.json") if snap else None) or {}
    keys = ("realized_monthly", "realized_this_month", "realized_to_date",
            "estimated_open_monthly", "resolved", "resolved_measured", "as_of",
            "bill_generated_for_demo")
    out: dict[str, Any] = {k: doc.get(k) for k in keys}
    out["available"] = bool(doc.get("resolved_measured"))
    return out


def coverage(snap: Snapshot | None) -> dict[str, Any]:
    """Share of the counted (open) findings and their savings by cost attribution method."""
    findings = [f for f in findings_of(snap) if not is_meta(f) and is_open(f)]
    rows = []
    total_savings = savings_total(findings)
    for method in ATTRIBUTION_METHODS:
        part = [f for f in findings if (f.get("attribution_method") or "none") == method]
        saving = savings_total(part)
        rows.append({
            "method": method,
            "count": len(part),
            "share_of_findings": round(len(part) / len(findings), 4) if findings else None,
            "estimated_monthly_savings": _str(saving),
            "share_of_savings": (round(float(saving / total_savings), 4)
                                 if total_savings else None),
        })
    return {"empty": not findings, "has_cur": has_cur(snap), "methods": rows,
            "reported": snap.get("coverage.json") if snap else {}}


def scans(snap: Snapshot | None) -> list[dict[str, Any]]:
    """scans.json rows normalized: status, error list, duration in seconds."""
    out = []
    for row in snap.get("scans.json") if snap else []:
        if not isinstance(row, Mapping):
            continue
        errors = row.get("errors")
        if isinstance(errors, str):
            errors = [errors] if errors else []
        elif isinstance(errors, int):
            errors = [f"{errors} error(s)"] if errors else []
        elif not isinstance(errors, list):
            errors = []
        duration = money(_first(row, "duration_s", "duration_seconds", "duration"))
        millis = money(row.get("duration_ms"))
        if duration is None and millis is not None:
            duration = millis / 1000
        out.append({
            "account_id": row.get("account_id"),
            "region": row.get("region"),
            "status": row.get("status") or ("error" if errors else "unknown"),
            "errors": [_error_text(e) for e in errors],
            "duration_s": None if duration is None else float(duration),
            "finished_at": _first(row, "finished_at", "ended_at", "as_of", "observed_at"),
            "run_id": row.get("run_id"),
            "checks": len(row["check_counts"]) if isinstance(row.get("check_counts"), Mapping)
            else row.get("checks"),
            "started_at": row.get("started_at"),
        })
    out.sort(key=lambda r: (str(r["account_id"]), str(r["region"])))
    return out


def _error_text(error: Any) -> str:
    """A scan error struct (service, operation, code, message…) as one readable line."""
    if not isinstance(error, Mapping):
        return str(error)
    where = " ".join(str(error[k]) for k in ("service", "operation", "check_id", "code")
                     if error.get(k))
    message = str(error.get("message") or "")
    return f"{where}: {message}" if where and message else (where or message or str(dict(error)))


def _index(snap: Snapshot | None) -> dict[str, dict[str, Any]]:
    """Plain findings by fingerprint (to resolve a correlated finding's sources)."""
    return cached(snap, "by_fingerprint", lambda s: {
        str(f["fingerprint"]): f for f in findings_of(s) if f.get("fingerprint")})


def _by_id(snap: Snapshot | None) -> dict[str, dict[str, Any]]:
    """Plain and correlated findings by finding_id and by fingerprint (first one wins)."""
    def build(s: Snapshot | None) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for row in findings_of(s) + correlated_of(s):
            for key in (row.get("finding_id"), row.get("fingerprint")):
                if key is not None:
                    out.setdefault(str(key), row)
        return out
    return cached(snap, "by_id", build)


def sources_of(snap: Snapshot | None, finding: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The findings a correlated finding was built from (unknown fingerprints kept, marked)."""
    index = _index(snap)
    out = []
    for fp in finding.get("source_fingerprints") or []:
        src = index.get(str(fp))
        out.append({"fingerprint": fp, "found": src is not None,
                    **({k: src.get(k) for k in ("finding_id", "title", "resource_id",
                                                "service", "region", "check_id",
                                                "estimated_monthly_savings")} if src else {})})
    return out


def correlations(snap: Snapshot | None) -> list[dict[str, Any]]:
    """Correlated meta-findings, one row each, with its sources resolved: the primary source
    (the finding on the meta-finding's own resource, else its largest saving) named apart
    from the others, so a resource is listed once per row."""
    rows = correlated_of(snap) or [f for f in findings_of(snap) if is_meta(f)]
    out = []
    for f in rows:
        sources = sources_of(snap, f)
        found = [x for x in sources if x["found"]]
        primary = next((x for x in found if x.get("resource_id") == f.get("resource_id")),
                       None) or max(found, default=None, key=lambda x: (
                           money(x.get("estimated_monthly_savings")) or Decimal(-1)))
        out.append(dict(public(f), sources=sources, primary_source=primary,
                        other_sources=[x for x in sources if x is not primary]))
    return out


def history(finding: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Lifecycle history: the writer's own list when it has one, else the known milestones."""
    given = finding.get("history") or finding.get("lifecycle_history")
    if isinstance(given, list):
        return [dict(h) for h in given if isinstance(h, Mapping)]
    events = []
    if finding.get("first_seen"):
        events.append({"at": finding["first_seen"], "state": "new", "note": "first seen"})
    if finding.get("last_seen"):
        events.append({"at": finding["last_seen"], "state": finding.get("lifecycle_state")
                       or "open", "note": "last seen in a scan"})
    if finding.get("resolved_at"):
        events.append({"at": finding["resolved_at"], "state": "resolved",
                       "note": "no longer reported"})
    return events


def detail(snap: Snapshot | None, finding_id: str) -> dict[str, Any] | None:
    """One finding (plain or correlated) by finding_id or fingerprint, with everything around it."""
    row = _by_id(snap).get(finding_id)
    if row is None:
        return None
    details = details_of(row)
    parents = {str(fp) for fp in row.get("correlated_in") or []}
    out = public(row)
    out.update(
        correlated_in=[{"fingerprint": m.get("fingerprint"), "finding_id": m.get("finding_id"),
                        "title": m.get("title")}
                       for m in correlated_of(snap) if m.get("fingerprint") in parents],
        sources=sources_of(snap, row),
        history=history(row),
        price=_first(details, "prices", "price", "unit_price", "hourly_price", "monthly_price"),
        price_source=_first(details, "price_source", "pricing_source", "source"),
        has_cur=cached(snap, "has_cur", has_cur),
        realized=next((r for r in ((snap.get("realized.json") if snap else None) or {})
                       .get("findings", []) if r.get("fingerprint") == row.get("fingerprint")),
                      None),
    )
    return out


def warm(snap: Snapshot | None) -> None:
    """Compute a new set's page data and default table order once, before pages ask for it.

    Called by the announcer before it tells the pages, so their refetch finds it ready
    instead of each racing to compute the same thing.
    """
    if snap is None:
        return
    from web.findings import Query, facets

    for name, compute in (("overview", overview), ("coverage", coverage),
                          ("correlations", correlations), ("scans", scans),
                          ("trend", trend_points), ("has_cur", has_cur)):
        cached(snap, name, compute)
    findings = findings_of(snap)
    default = Query.from_args({})
    snap.cached(f"order:{default.order_key}", lambda: default.order(findings))
    snap.cached("facets", lambda: facets(findings))
