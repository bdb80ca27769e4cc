"""Lifecycle events: what changed between the last published state of each finding and this window.

The jobs compute every finding's lifecycle from the data alone (jobs/lifecycle.py); an event is
a difference between that state and the state last published on `finops.findings.state.v1`.
Event times are data times (first_seen, resolved_at, last_seen, the tenant's as-of), never the
wall clock, so the same input derives the same events with the same `event_id`, and a window
replayed over unchanged input derives none (its states equal the published ones).

Transitions (previous -> current), in this order when several happened between two windows:
- no previous state: `new`, then `resolved` if it is already resolved, `suppressed` if it is;
- not resolved -> resolved: `resolved`;  resolved -> not resolved: `reopened`;
- resolved -> resolved with a later `last_seen`: `reopened` then `resolved` (seen again and
  resolved again between two windows; a `resolved_at` that moves alone, e.g. when the
  `--history` horizon drops the resolving scan, is no event);
- suppressed flag flips: `suppressed` / `unsuppressed`;
- a resolved finding's realized savings (jobs/realized.py, measured on the bill) becomes known:
  `savings_realized`, once per resolution (event time = resolved_at), with the figure; the
  figure refines in the state as bill days accrue, without new events.
`new` -> `open` (seen by a second run) changes the state record but is no event.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import duckdb

EVENT_KINDS = ("new", "resolved", "reopened", "suppressed", "unsuppressed", "savings_realized")

# fcur column -> state record field (the state topic's schema, schemas/finding_state.v1.avsc)
_STATE_SQL = """
SELECT fingerprint, finding_id, tenant_id, workspace, account_id, region, service, check_id,
       resource_type, resource_id, title, severity, lifecycle_state, suppressed,
       suppression.reason AS suppression_reason, first_seen, last_seen, resolved_at,
       estimated_monthly_savings, currency
FROM {table} ORDER BY fingerprint
"""

State = dict[str, Any]  # one finding_state.v1 record


@dataclass(frozen=True, slots=True)
class Changes:
    """What one window publishes for one tenant: events (in order) and changed states."""

    events: list[dict[str, Any]]
    states: list[State]


def _utc(ts: datetime | None) -> datetime | None:
    return None if ts is None else ts.astimezone(UTC)


def current_states(con: duckdb.DuckDBPyConnection, table: str = "fcur",
                   realized: Any = None) -> list[State]:
    """The state record of every finding in `table` (lifecycle + suppression columns), with the
    realized figure of `realized` (the window's realized.json document) where it has one."""
    measured = {r["fingerprint"]: r.get("realized_monthly")
                for r in (realized or {}).get("findings", [])}
    cur = con.execute(_STATE_SQL.format(table=table))
    names = [d[0] for d in cur.description]
    out = []
    for row in cur.fetchall():
        rec = dict(zip(names, row, strict=True))
        for k in ("first_seen", "last_seen", "resolved_at"):
            rec[k] = _utc(rec[k])
        money = rec["estimated_monthly_savings"]
        rec["estimated_monthly_savings"] = None if money is None else str(Decimal(money))
        rec["suppressed"] = bool(rec["suppressed"])
        rec["realized_monthly_savings"] = measured.get(rec["fingerprint"])
        out.append(rec)
    return out


def event_id(fingerprint: str, kind: str, when: datetime) -> str:
    stamp = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return hashlib.sha256(f"{fingerprint}|{kind}|{stamp}".encode()).hexdigest()


def _event(kind: str, when: datetime, prev: State | None, cur: State, as_of: datetime) -> dict:
    return {
        "event_id": event_id(cur["fingerprint"], kind, when),
        "kind": kind,
        "event_time": when,
        "previous_state": None if prev is None else prev["lifecycle_state"],
        **{k: cur[k] for k in ("fingerprint", "finding_id", "tenant_id", "workspace",
                               "account_id", "region", "service", "check_id", "resource_type",
                               "resource_id", "title", "severity", "lifecycle_state",
                               "suppressed", "suppression_reason",
                               "estimated_monthly_savings", "currency")},
        "realized_monthly_savings": cur.get("realized_monthly_savings"),
        "as_of": as_of,
    }


def transitions(prev: State | None, cur: State, as_of: datetime) -> list[dict[str, Any]]:
    """The events that lead from `prev` (None: never published) to `cur`."""
    events = []
    resolved = cur["lifecycle_state"] == "resolved"
    if prev is None:
        events.append(_event("new", cur["first_seen"], None, cur, as_of))
        if resolved:
            events.append(_event("resolved", cur["resolved_at"], None, cur, as_of))
    else:
        was_resolved = prev["lifecycle_state"] == "resolved"
        if not was_resolved and resolved:
            events.append(_event("resolved", cur["resolved_at"], prev, cur, as_of))
        elif was_resolved and not resolved:
            events.append(_event("reopened", cur["last_seen"], prev, cur, as_of))
        elif was_resolved and resolved and cur["last_seen"] != prev["last_seen"]:
            events.append(_event("reopened", cur["last_seen"], prev, cur, as_of))
            events.append(_event("resolved", cur["resolved_at"], prev, cur, as_of))
    figure = cur.get("realized_monthly_savings")
    known = (prev is not None and prev.get("realized_monthly_savings") is not None
             and prev["resolved_at"] == cur["resolved_at"])
    if resolved and figure is not None and not known:
        events.append(_event("savings_realized", cur["resolved_at"], prev, cur, as_of))
    was_suppressed = prev is not None and prev["suppressed"]
    if cur["suppressed"] and not was_suppressed:
        events.append(_event("suppressed", as_of, prev, cur, as_of))
    elif was_suppressed and not cur["suppressed"]:
        events.append(_event("unsuppressed", as_of, prev, cur, as_of))
    return events


def diff(published: Mapping[str, State], current: list[State], as_of: datetime) -> Changes:
    """Events and changed states of `current` against the `published` ones (by fingerprint)."""
    events: list[dict[str, Any]] = []
    states: list[State] = []
    as_of = as_of.astimezone(UTC)
    for cur in current:
        prev = published.get(cur["fingerprint"])
        if prev == cur:
            continue
        events += transitions(prev, cur, as_of)
        states.append(cur)
    return Changes(events, states)
