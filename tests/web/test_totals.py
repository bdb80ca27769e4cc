"""One set of totals: the overview, the API's list and the CSV agree for the default filter and
every filter the findings page offers, on a set the real jobs wrote from a scan of the estate.

Three independent sums are compared: the writer's own SQL totals (summary.json), the web's
overview, and the rows a user gets (every page of the API list, and the CSV parsed as a
spreadsheet would: the `counted` column says which rows add up). DuckDB over the stream's
Parquet says how many distinct findings there are.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import duckdb
import pytest
from flask.testing import FlaskClient

from web.app import create_app

# the page's select filters -> the overview group that must hold the same total
GROUPS = {"service": "by_service", "region": "by_region", "account": "by_account",
          "severity": "by_severity", "check": "by_check", "lifecycle": "by_lifecycle"}


@pytest.fixture(scope="module")
def client(estate_output: Any) -> FlaskClient:
    app = create_app({"DATA_DIR": estate_output.data_dir, "AUTH_DISABLED": True,
                      "DEMO_TENANT": estate_output.tenant, "LIVE_WATCHERS": False,
                      "TESTING": True})
    return app.test_client()


def _list(client: FlaskClient, query: dict[str, str]) -> tuple[list[dict[str, Any]], dict]:
    items: list[dict[str, Any]] = []
    page, totals = 1, None
    while True:
        got = client.get("/api/findings", query_string={**query, "per_page": 500, "page": page})
        assert got.status_code == 200, got.data
        data = got.get_json()["data"]
        totals = totals or data["totals"]
        assert data["totals"] == totals  # the selection's totals, whatever the page
        items += data["items"]
        if page >= data["pages"]:
            return items, totals
        page += 1


def _csv(client: FlaskClient, query: dict[str, str]) -> list[dict[str, str]]:
    got = client.get("/api/findings.csv", query_string=query)
    assert got.status_code == 200
    return list(csv.DictReader(io.StringIO(got.get_data(as_text=True))))


def _sums(items: list[dict[str, Any]], rows: list[dict[str, str]]) -> tuple[Decimal, Decimal]:
    api = sum((Decimal(f["estimated_monthly_savings"]) for f in items
               if f["counted"] and f["estimated_monthly_savings"] is not None), Decimal(0))
    sheet = sum((Decimal(r["estimated_monthly_savings"]) for r in rows
                 if r["counted"] == "True" and r["estimated_monthly_savings"]), Decimal(0))
    return api, sheet


def _check(client: FlaskClient, query: dict[str, str], want_total: str | None,
           want_count: int | None, want_unpriced: int | None = None) -> None:
    items, totals = _list(client, query)
    rows = _csv(client, query)
    api, sheet = _sums(items, rows)
    assert len(rows) == len(items) == totals["findings"], query
    assert api == sheet == Decimal(totals["estimated_monthly_savings"]), query
    assert sum(r["counted"] == "True" for r in rows) == totals["counted"], query
    # what the total leaves out: counted rows without an estimate, each with its reason
    unpriced = [r for r in rows if r["counted"] == "True" and not r["estimated_monthly_savings"]]
    assert all(r["unpriced_reason"] for r in unpriced), query
    assert len(unpriced) == totals["unpriced_findings"]["count"], query
    assert sum(totals["unpriced_findings"]["by_reason"].values()) == len(unpriced), query
    assert sum(r["counted"] == "True" and r["savings_bound"] == "lower" for r in rows) == \
        totals["lower_bound"]["count"], query
    assert [r["finding_id"] for r in rows] == [f["finding_id"] for f in items], query
    for row in rows:  # a row that does not count says why; superseded is its own column
        assert (row["counted"] == "True") == (row["count_state"] == "counted"), row
        assert (row["count_state"] == "superseded") <= (row["superseded"] == "True"), row
    if want_total is not None:
        assert Decimal(totals["estimated_monthly_savings"]) == Decimal(want_total), query
    if want_count is not None:
        assert totals["counted"] == want_count, query
    if want_unpriced is not None:
        assert totals["unpriced_findings"]["count"] == want_unpriced, query


def test_overview_list_and_csv_agree_for_every_filter(client: FlaskClient,
                                                      estate_output: Any) -> None:
    ov = client.get("/api/overview").get_json()["data"]
    summary = ov["summary"]
    # the writer's SQL and the web's overview: one definition
    assert ov["estimated_monthly_savings"] == summary["savings"]["estimated_monthly"]
    assert ov["findings_open"] == summary["findings"]["counted"] == ov["by_status"]["counted"]
    assert sum(ov["by_status"].values()) == ov["findings_total"]
    # realized.json's estimate open is the headline, not every open row (alternatives included)
    assert ov["realized"]["estimated_open_monthly"] == ov["estimated_monthly_savings"]
    assert ov["by_status"]["superseded"] == summary["findings"]["superseded"] > 0
    assert ov["by_status"]["suppressed"] >= 1
    parquet = str(estate_output.data_dir / "findings" / "**" / "*.parquet")
    distinct = duckdb.sql(f"SELECT count(DISTINCT fingerprint) FROM read_parquet('{parquet}',"
                          " hive_partitioning=true)").fetchall()[0]
    assert distinct is not None and ov["findings_total"] == distinct[0]
    for key in GROUPS.values():
        assert sum((Decimal(g["estimated_monthly_savings"]) for g in ov[key]), Decimal(0)) == \
            Decimal(ov["estimated_monthly_savings"]), key
    for dim in ("service", "region", "account"):
        writer = summary[f"by_{dim}"]
        assert {g["key"]: g["estimated_monthly_savings"] for g in ov[f"by_{dim}"]} == {
            k: v["estimated_monthly_savings"] for k, v in writer.items()}, dim

    # unknowns: the writer's SQL and the web agree on what the headline leaves out, and why
    writer_unpriced = summary["unpriced_findings"]
    assert ov["unpriced_findings"]["count"] == writer_unpriced["count"] > 0
    assert ov["unpriced_findings"]["by_reason"] == writer_unpriced["by_reason"]
    assert writer_unpriced["by_reason"]["price missing from the catalog"] > 0
    assert ov["lower_bound"]["count"] == writer_unpriced["lower_bound"]["count"]
    assert ov["unpriced_missing"] == writer_unpriced["missing"] and all(
        m["key"] and m["region"] for m in ov["unpriced_missing"])

    _check(client, {}, ov["estimated_monthly_savings"], ov["findings_open"],
           ov["unpriced_findings"]["count"])
    facets = client.get("/api/findings").get_json()["data"]["facets"]
    for name, key in GROUPS.items():
        assert facets[name], name
        groups = {g["key"]: g for g in ov[key]}
        for value in facets[name]:
            group = groups.get(value)  # absent: nothing of that value counts
            _check(client, {name: value},
                   group["estimated_monthly_savings"] if group else "0",
                   group["count"] if group else 0, group["unpriced"] if group else 0)
    assert set(facets["state"]) >= {"counted", "superseded", "suppressed"}
    for state in facets["state"]:
        counted = state == "counted"
        _check(client, {"state": state}, ov["estimated_monthly_savings"] if counted else "0",
               ov["findings_open"] if counted else 0,
               ov["unpriced_findings"]["count"] if counted else 0)
        assert _list(client, {"state": state})[1]["findings"] == ov["by_status"][state]
    # free-text filters have no overview counterpart: list and CSV still agree
    _check(client, {"tag": facets["tag_keys"][0]}, None, None)
    _check(client, {"q": "eu-west-1"}, None, None)
    _check(client, {"service": facets["service"][0], "region": "eu-west-1"}, None, None)


def test_superseded_and_suppressed_rows_are_listed_with_their_state(
        client: FlaskClient, estate_output: Any) -> None:
    items, _ = _list(client, {})
    by_fp = {f["fingerprint"]: f for f in items}
    supp = by_fp[estate_output.suppressed_fingerprint]
    assert supp["count_state"] == "suppressed" and supp["counted"] is False
    superseded = [f for f in items if f["count_state"] == "superseded"]
    assert superseded and all(f["superseded_by"] and not f["counted"] for f in superseded)
    got = client.get("/api/correlations", query_string={"per_page": 500}).get_json()["data"]
    assert got["pages"] == 1
    metas = {m["fingerprint"] for m in got["items"]}
    assert all(set(f["superseded_by"]) <= metas for f in superseded)
