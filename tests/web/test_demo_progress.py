"""The demo console's lines, on real output: the overview of a set the jobs wrote (figures
checked against its findings.json, summed here) and the reports of the real CUR commands."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from finops.demo.progress import money, report_lines, snapshot_line
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


def test_report_lines_summarize_the_real_bill_commands(estate_output: Any, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """What `finops estate bill` and `finops cur normalize` print for the estate, as the demo's
    bill step runs them (finops/demo/story.py), each JSON report turned into one line."""
    from finops.cli import main

    manifest = estate_output.data_dir / "estate" / "manifest.json"
    if not manifest.exists():
        pytest.skip("the estate set kept no manifest")
    capsys.readouterr()
    out = tmp_path / "raw_cur" / "tenant_id=acme" / "bill"
    assert main(["estate", "bill", "--manifest", str(manifest), "--out", str(out)]) == 0
    assert main(["cur", "normalize", "--input", str(tmp_path / "raw_cur"), "--output",
                 str(tmp_path / "facts"), "--tenant", "acme"]) == 0
    printed = capsys.readouterr().out
    bill, norm = (json.loads(part) for part in _split_reports(printed))
    lines = report_lines(printed)
    assert len(lines) == 2 and all("{" not in line for line in lines)
    assert lines[0].startswith(f"bill written: {bill['lines']:,} hourly lines, "
                               f"{bill['start'][:10]} to {bill['until'][:10]}, "
                               f"{money(bill['unblended'])} unblended")
    months = ", ".join(m.split("/")[1] for m in norm["months_written"])
    assert lines[1].startswith(f"{norm['rows']:,} bill lines normalized (")
    assert f"month(s) {months} written" in lines[1]


def _split_reports(text: str) -> list[str]:
    """The two indented JSON reports (each starts with "{" at the start of a line)."""
    starts = [i for i, ch in enumerate(text) if ch == "{" and (i == 0 or text[i - 1] == "\n")]
    return [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
