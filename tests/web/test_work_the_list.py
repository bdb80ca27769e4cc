"""Working the list on a set the real jobs wrote: groups, a minimum saving, top savings and the
correlations page. Every group's count and total, in the API and in the CSV, is checked against
DuckDB over the snapshot's own findings.json (counted rows only in the savings, unpriced ones
counted apart), not against the web's code."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from flask.testing import FlaskClient

from web.app import create_app

DIMS = {"check": "check_id", "account": "account_id", "region": "region", "service": "service"}


@pytest.fixture(scope="module")
def client(estate_output: Any) -> FlaskClient:
    app = create_app({"DATA_DIR": estate_output.data_dir, "AUTH_DISABLED": True,
                      "DEMO_TENANT": estate_output.tenant, "LIVE_WATCHERS": False,
                      "TESTING": True})
    return app.test_client()


def _snapshot(estate_output: Any) -> Path:
    return estate_output.data_dir / "snapshots" / estate_output.tenant / "findings.json"


def _duck_groups(path: Path, dim_sql: str, min_savings: str | None = None) -> dict[str, tuple]:
    """(findings, counted, counted savings, counted unpriced) per group, by DuckDB."""
    where = "TRUE" if min_savings is None else \
        f"TRY_CAST(estimated_monthly_savings AS DECIMAL(18,2)) >= {Decimal(min_savings)}"
    rows = duckdb.execute(f"""
        SELECT {dim_sql} AS g, count(*), count(*) FILTER (WHERE counted),
               CAST(coalesce(sum(CAST(estimated_monthly_savings AS DECIMAL(18,2)))
                    FILTER (WHERE counted), 0) AS DECIMAL(18,2)),
               count(*) FILTER (WHERE counted AND estimated_monthly_savings IS NULL)
        FROM read_json('{path}', format = 'array', columns = {{
            check_id: 'VARCHAR', account_id: 'VARCHAR', region: 'VARCHAR', service: 'VARCHAR',
            counted: 'BOOLEAN', estimated_monthly_savings: 'VARCHAR', tags: 'JSON'}})
        WHERE {where} GROUP BY 1""").fetchall()
    return {g: (n, c, Decimal(s), u) for g, n, c, s, u in rows}


def _api_groups(client: FlaskClient, query: dict[str, str]) -> dict[str, tuple]:
    got = client.get("/api/findings", query_string={**query, "per_page": 1})
    assert got.status_code == 200, got.data
    data = got.get_json()["data"]
    assert data["group"] == query["group"]
    return {g["key"]: (g["findings"], g["counted"], Decimal(g["estimated_monthly_savings"]),
                       g["unpriced_findings"]["count"]) for g in data["groups"]}


def _csv_groups(client: FlaskClient, query: dict[str, str]) -> dict[str, tuple]:
    got = client.get("/api/findings.csv", query_string=query)
    assert got.status_code == 200
    rows = list(csv.DictReader(io.StringIO(got.get_data(as_text=True))))
    assert {r["group_by"] for r in rows} == {query["group"]}
    return {r["group"]: (int(r["findings"]), int(r["counted"]),
                         Decimal(r["estimated_monthly_savings"]), int(r["unpriced_findings"]))
            for r in rows}


def test_group_totals_equal_duckdb_over_the_snapshot(client: FlaskClient,
                                                     estate_output: Any) -> None:
    path = _snapshot(estate_output)
    tag_keys = client.get("/api/findings").get_json()["data"]["facets"]["tag_keys"]
    assert tag_keys
    cases = [(name, col) for name, col in DIMS.items()] + [
        (f"tag:{tag_keys[0]}", f"coalesce(json_extract_string(tags, '$.\"{tag_keys[0]}\"'),"
                               f" '(untagged)')")]
    overview = client.get("/api/overview").get_json()["data"]
    for group, sql in cases:
        want = _duck_groups(path, sql)
        assert len(want) > 1, group
        assert _api_groups(client, {"group": group}) == want, group
        assert _csv_groups(client, {"group": group}) == want, group
        # the groups add up to the headline
        assert sum(v[2] for v in want.values()) == Decimal(overview["estimated_monthly_savings"])
        assert sum(v[3] for v in want.values()) == overview["unpriced_findings"]["count"]
    # grouping within a filter and a minimum saving
    floor = "25.00"
    want = _duck_groups(path, "service", floor)
    query = {"group": "service", "min_savings": floor}
    assert _api_groups(client, query) == want == _csv_groups(client, query)
    assert all(v[3] == 0 for v in want.values())  # an unknown saving is not "at least $25"


def test_min_savings_filters_list_and_csv(client: FlaskClient, estate_output: Any) -> None:
    floor = Decimal("25.00")
    got = client.get("/api/findings", query_string={"min_savings": str(floor), "per_page": 500})
    data = got.get_json()["data"]
    assert data["pages"] == 1
    amounts = [Decimal(f["estimated_monthly_savings"]) for f in data["items"]]
    assert amounts and min(amounts) >= floor
    rows = list(csv.DictReader(io.StringIO(client.get(
        "/api/findings.csv", query_string={"min_savings": str(floor)}).get_data(as_text=True))))
    assert [r["finding_id"] for r in rows] == [f["finding_id"] for f in data["items"]]
    want = duckdb.execute(
        f"SELECT count(*) FROM read_json('{_snapshot(estate_output)}', format = 'array',"
        " columns = {estimated_monthly_savings: 'VARCHAR'})"
        " WHERE CAST(estimated_monthly_savings AS DECIMAL(18,2)) >= ?", [floor]).fetchall()[0][0]
    assert len(rows) == want
    for bad in ("-1", "ten", "tag:"):
        key = "group" if bad == "tag:" else "min_savings"
        assert client.get("/api/findings", query_string={key: bad}).status_code == 400


def test_zero_findings_are_listed_but_not_top_savings(client: FlaskClient) -> None:
    zero = client.get("/api/findings", query_string={"min_savings": "0", "sort":
                                                      "estimated_monthly_savings"})
    first = zero.get_json()["data"]["items"][0]
    assert Decimal(first["estimated_monthly_savings"]) == 0, "the estate has a $0.00 finding"
    top = client.get("/api/overview").get_json()["data"]["top_savings"]
    assert top and all(Decimal(f["estimated_monthly_savings"]) > 0 for f in top)


def test_correlations_are_paged_and_filtered_with_one_primary_source(
        client: FlaskClient, estate_output: Any) -> None:
    everything = client.get("/api/correlations", query_string={"per_page": 500}).get_json()
    every = everything["data"]["items"]
    assert len(every) > 10
    seen: list[str] = []
    page = 1
    while True:
        data = client.get("/api/correlations", query_string={"per_page": 10, "page": page}
                          ).get_json()["data"]
        seen += [m["fingerprint"] for m in data["items"]]
        if page >= data["pages"]:
            break
        page += 1
    assert sorted(seen) == sorted(m["fingerprint"] for m in every)  # each once, none lost
    assert len(set(seen)) == len(seen)
    for meta in every:
        primary, others = meta["primary_source"], meta["other_sources"]
        assert primary is not None and primary["found"]
        fps = [primary["fingerprint"]] + [s["fingerprint"] for s in others]
        assert sorted(fps) == sorted(meta["source_fingerprints"])  # each source listed once
    rule = sorted({m["check_id"] for m in every})[0]
    data = client.get("/api/correlations", query_string={"check": rule, "per_page": 500}
                      ).get_json()["data"]
    assert data["items"] and {m["check_id"] for m in data["items"]} == {rule}
    assert data["total"] == sum(m["check_id"] == rule for m in every)
    assert data["facets"]["check"] == sorted({m["check_id"] for m in every})
