"""Scope costs apart from resource costs, and windows the bill does not cover, on a set the real
jobs wrote (estate scan + the workshop CUR mapped onto it): a scope roll-up is never in a
resource's actual-cost column (API, CSV), it is the scope's total under `scope_cost_*`,
labelled; a month the bill does not reach is null ("no billing data"), never 0.00."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import duckdb
import pytest
from flask.testing import FlaskClient

from web.app import create_app


@pytest.fixture(scope="module")
def client(estate_output: Any) -> FlaskClient:
    app = create_app({"DATA_DIR": estate_output.data_dir, "AUTH_DISABLED": True,
                      "DEMO_TENANT": estate_output.tenant, "LIVE_WATCHERS": False,
                      "TESTING": True})
    return app.test_client()


def test_scope_rollups_are_labelled_scope_totals_not_resource_costs(
        client: FlaskClient, estate_output: Any) -> None:
    assert estate_output.cur
    items = client.get("/api/findings", query_string={"per_page": 500}).get_json()["data"]["items"]
    scoped = [f for f in items if f["attribution_method"] == "scoped_rollup"]
    exact = [f for f in items if f["attribution_method"] == "exact_resource"]
    assert scoped and exact
    for f in scoped:
        assert all(f[f"actual_cost_{w}"] is None for w in ("7d", "30d", "mtd", "prev_month")), f
        assert f["scope_cost_30d"] is not None
        assert f["cost_scope"] == f"account {f['account_id']} / {f['region']} / {f['service']}"
    # a scope total is one figure per scope, whatever finding carries it
    per_scope: dict[str, set[str]] = {}
    for f in scoped:
        per_scope.setdefault(f["cost_scope"], set()).add(f["scope_cost_30d"])
    assert all(len(v) == 1 for v in per_scope.values()), per_scope
    assert all(f["actual_cost_30d"] is not None and f["cost_scope"] is None for f in exact)

    rows = list(csv.DictReader(io.StringIO(
        client.get("/api/findings.csv").get_data(as_text=True))))
    for row in rows:
        if row["attribution_method"] == "scoped_rollup":
            assert row["actual_cost_30d"] == "" and row["scope_cost_30d"] != "", row
            assert row["cost_scope"].startswith("account "), row
    ov = client.get("/api/overview").get_json()["data"]
    assert ov["findings_with_scoped_cost_only"] == sum(f["counted"] for f in scoped)


def test_a_month_the_bill_does_not_cover_is_null_not_zero(
        client: FlaskClient, estate_output: Any) -> None:
    facts = str(estate_output.data_dir / "cur_facts" / "**" / "*.parquet")
    lo, hi = duckdb.sql(f"SELECT min(usage_start), max(coalesce(usage_end, usage_start))"
                        f" FROM read_parquet('{facts}', hive_partitioning=true)").fetchall()[0]
    as_of = hi.astimezone(UTC)
    month = datetime(as_of.year, as_of.month, 1, tzinfo=UTC)
    if as_of == month:  # the window ends on a month boundary: "this month" is the one before
        month = datetime(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1, tzinfo=UTC)
    assert lo.astimezone(UTC) >= month, "the sample bill should start in the as-of month"
    items = client.get("/api/findings", query_string={"per_page": 500}).get_json()["data"]["items"]
    billed = [f for f in items if f["attribution_method"] != "none"]
    assert billed
    assert all(f["actual_cost_prev_month"] is None and f["scope_cost_prev_month"] is None
               for f in billed)
    assert any(f["actual_cost_mtd"] is not None for f in billed)  # the covered month is known
