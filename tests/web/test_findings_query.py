"""The findings table's query: filters, tags, search, sort (nulls last), paging, CSV safety."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from web.findings import (
    Query,
    details_of,
    facets,
    for_tenant,
    haystacks,
    money,
    tags_of,
    to_csv,
)
from web.sample import make_findings


def _q(**args: Any) -> Query:
    return Query.from_args(MultiDict(args))


@pytest.fixture
def rows() -> list[dict[str, Any]]:
    return make_findings("acme", 40, hostile=True)


def test_filters_combine(rows: list[dict[str, Any]]) -> None:
    got = _q(service="ec2", region="eu-west-1", per_page=500).select(rows)
    want = [r for r in rows if r["service"] == "ec2" and r["region"] == "eu-west-1"]
    assert {r["finding_id"] for r in got} == {r["finding_id"] for r in want}
    assert got and len(got) < len(rows)


def test_multi_value_filter_and_check(rows: list[dict[str, Any]]) -> None:
    got = _q(severity="high,critical", check="ec2_instance_idle").select(rows)
    assert got and all(r["severity"] in ("high", "critical") for r in got)
    assert all(r["check_id"] == "ec2_instance_idle" for r in got)


def test_tag_filter_key_value_and_key_only(rows: list[dict[str, Any]]) -> None:
    assert {r["tags"]["team"] for r in _q(tag="team:team-2").select(rows)} == {"team-2"}
    assert len(_q(tag="owner").select(rows)) == len(rows)
    assert _q(tag="nonexistent").select(rows) == []


def test_search_covers_title_resource_and_tags(rows: list[dict[str, Any]]) -> None:
    target = rows[7]
    assert [r["finding_id"] for r in _q(q=target["resource_id"].upper()).select(rows)] == [
        target["finding_id"]]
    assert all("team-3" in r["tags"].values() for r in _q(q="team=team-3").select(rows))


def test_sort_descending_by_savings_with_nulls_last(rows: list[dict[str, Any]]) -> None:
    rows[0]["estimated_monthly_savings"] = None
    got = _q(sort="-estimated_monthly_savings", per_page=500).select(rows)
    amounts = [Decimal(r["estimated_monthly_savings"]) for r in got[:-1]]
    assert amounts == sorted(amounts, reverse=True)
    assert got[-1]["estimated_monthly_savings"] is None
    asc = _q(sort="estimated_monthly_savings").select(rows)
    assert asc[-1]["estimated_monthly_savings"] is None


def test_severity_sorts_by_rank_not_alphabet(rows: list[dict[str, Any]]) -> None:
    got = _q(sort="-severity").select(rows)
    assert got[0]["severity"] == "critical" and got[-1]["severity"] == "low"


def test_paging(rows: list[dict[str, Any]]) -> None:
    q = _q(page=3, per_page=15, sort="resource_id")
    page = q.page_of(q.select(rows))
    assert page["total"] == 40 and page["pages"] == 3 and len(page["items"]) == 10
    everything = sorted(r["resource_id"] for r in rows)
    assert [r["resource_id"] for r in page["items"]] == everything[30:]


@pytest.mark.parametrize("args,message", [
    ({"sort": "password"}, "cannot sort by"),
    ({"page": "x"}, "integers"),
    ({"page": "0"}, "page must be"),
    ({"per_page": "100000"}, "per_page"),
])
def test_bad_queries_raise_with_context(args: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _q(**args)


def test_tags_shapes_and_details_and_money() -> None:
    assert tags_of({"tags": {"a": "1"}}) == {"a": "1"}
    assert tags_of({"tags": [["a", "1"], ["b", None]]}) == {"a": "1", "b": ""}
    assert tags_of({"tags": [{"key": "k", "value": "v"}]}) == {"k": "v"}
    assert tags_of({"tags": None}) == {} and tags_of({}) == {}
    assert details_of({"details": '{"price": "0.1"}'}) == {"price": "0.1"}
    assert details_of({"details": "not json"}) == {"raw": "not json"}
    assert details_of({"details": {"x": 1}}) == {"x": 1}
    assert money("12.50") == Decimal("12.50") and money(3) == Decimal(3)
    assert money(None) is None and money("abc") is None and money("NaN") is None
    assert money(True) is None


def test_for_tenant_drops_foreign_rows() -> None:
    rows = [{"tenant_id": "acme", "x": 1}, {"tenant_id": "globex", "x": 2}, "junk", {"x": 3}]
    assert for_tenant(rows, "acme") == [{"tenant_id": "acme", "x": 1}, {"x": 3}]


def test_csv_neutralizes_formulas_and_keeps_every_row(rows: list[dict[str, Any]]) -> None:
    text = to_csv(rows)
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert len(parsed) == len(rows)
    for row in parsed:
        for cell in row.values():
            assert not (cell[:1] in "=+@" and cell), f"formula-looking cell {cell!r}"
    hostile_names = [r["resource_name"] for r in parsed if "HYPERLINK" in r["resource_name"]]
    assert hostile_names and all(n.startswith("'=") for n in hostile_names)
    # Negative numbers are numbers, not formulas: left alone.
    line = to_csv([{"estimated_monthly_savings": "-5.00", "title": "-cmd"}]).splitlines()[1]
    assert ",-5.00," in line and ",'-cmd," in line


def test_facets(rows: list[dict[str, Any]]) -> None:
    got = facets(rows)
    assert got["region"] == sorted({r["region"] for r in rows})
    assert "owner" in got["tag_keys"]


@pytest.mark.parametrize("args", [
    {}, {"q": "team-2"}, {"q": "RDS", "sort": "-severity"}, {"service": "ec2", "sort": "region"},
    {"tag": "env:prod", "q": "idle", "sort": "estimated_monthly_savings"},
])
def test_cached_order_and_haystacks_give_the_same_answer(rows: list[dict[str, Any]],
                                                         args: dict[str, str]) -> None:
    rows[3]["estimated_monthly_savings"] = None
    q = _q(**args)
    assert q.select(rows, q.order(rows), haystacks(rows)) == q.select(rows)
    assert q.select(rows) == sorted(q.select(rows), key=lambda f: q.order(rows).index(f))
