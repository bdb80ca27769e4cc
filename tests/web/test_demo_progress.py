"""The demo console's snapshot line on real output: the overview of a set the jobs wrote, its
figures checked against the set's findings.json summed here. (The bill step's lines are checked
on the real demo's console by tests/finops/test_demo_smoke.py.)"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from finops.demo.progress import money, snapshot_line
from web.app import create_app


def test_the_snapshot_line_says_what_the_set_counts(estate_output: Any) -> None:
    app = create_app({"DATA_DIR": estate_output.data_dir, "AUTH_DISABLED": True,
                      "DEMO_TENANT": estate_output.tenant, "LIVE_WATCHERS": False})
    doc = app.test_client().get("/api/overview").get_json()
    line = snapshot_line(doc)

    rows = json.loads((estate_output.data_dir / "snapshots" / estate_output.tenant
                       / "findings.json").read_text())
    counted = [r for r in rows if r["counted"]]
    savings = sum((Decimal(r["estimated_monthly_savings"]) for r in counted
                   if r["estimated_monthly_savings"] is not None), Decimal(0))
    unpriced = sum(1 for r in counted if r["unpriced_reason"])
    superseded = sum(1 for r in rows if r["count_state"] == "superseded")
    suppressed = sum(1 for r in rows if r["count_state"] == "suppressed")
    assert unpriced and superseded and suppressed  # the set has every kind to report

    assert "\n" not in line and "{" not in line and "…" not in line
    assert line.startswith(f"snapshot v{doc['meta']['version']} (data as of ")
    assert f"{len(counted):,} findings counted, {money(savings)}/month estimated savings" in line
    assert f"{unpriced:,} unpriced left out" in line
    assert f"not counted: {superseded:,} superseded, {suppressed:,} suppressed" in line
    assert ("over 30 days on" in line) if estate_output.cur else line.endswith("no billing data")


def test_no_snapshot_and_empty_sets() -> None:
    assert snapshot_line({"meta": {"has_snapshot": False}, "data": {}}) == "no snapshot yet"
    empty = {"meta": {"has_snapshot": True, "version": 3, "as_of": "2026-11-20T10:00:00Z"},
             "data": {"empty": True}}
    assert snapshot_line(empty) == "snapshot v3 (data as of 2026-11-20 10:00 UTC): no findings"
