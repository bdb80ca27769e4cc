"""Every API route with the Flask test client: data, JSON errors, CSV, degraded states."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from web.sample import make_findings, write_set

API_VIEWS = ["/api/meta", "/api/overview", "/api/findings", "/api/correlations",
             "/api/coverage", "/api/scans", "/api/trend"]


@pytest.mark.parametrize("path", API_VIEWS)
def test_every_view_answers_with_meta(client: FlaskClient, seed: Callable[..., Any],
                                      acme: dict[str, str], path: str) -> None:
    seed("acme", version=4)
    resp = client.get(path, headers=acme)
    assert resp.status_code == 200 and resp.is_json
    meta = resp.get_json()["meta"]
    assert meta["tenant"] == "acme" and meta["version"] == 4 and meta["error"] is None
    assert resp.headers["Cache-Control"] == "no-store"


def test_findings_filters_paging_and_facets(client: FlaskClient, seed: Callable[..., Any],
                                            acme: dict[str, str]) -> None:
    rows = seed("acme", n=30)
    d = client.get("/api/findings?service=ec2&per_page=5&page=2&sort=resource_id",
                   headers=acme).get_json()["data"]
    ec2 = sorted(r["resource_id"] for r in rows if r["service"] == "ec2")
    assert d["total"] == len(ec2) and d["page"] == 2
    assert [r["resource_id"] for r in d["items"]] == ec2[5:10]
    assert d["facets"]["service"] == sorted({r["service"] for r in rows})
    assert all(isinstance(r["tags"], dict) and "details_parsed" in r for r in d["items"])


def test_bad_query_is_a_json_400(client: FlaskClient, seed: Callable[..., Any],
                                 acme: dict[str, str]) -> None:
    seed("acme")
    resp = client.get("/api/findings?sort=secret", headers=acme)
    assert resp.status_code == 400 and resp.is_json
    assert "cannot sort by" in resp.get_json()["detail"]


def test_unknown_finding_and_route_are_json_404(client: FlaskClient, seed: Callable[..., Any],
                                                acme: dict[str, str]) -> None:
    seed("acme")
    for path in ("/api/findings/doesnotexist", "/api/nope"):
        resp = client.get(path, headers=acme)
        assert resp.status_code == 404 and resp.is_json
        assert resp.get_json()["status"] == 404


def test_finding_detail(client: FlaskClient, seed: Callable[..., Any],
                        acme: dict[str, str]) -> None:
    rows = seed("acme", n=12)
    target = rows[5]
    d = client.get(f"/api/findings/{target['finding_id']}", headers=acme).get_json()["data"]
    assert d["resource_id"] == target["resource_id"]
    assert d["price_source"] == "bundled:aws-pricing-2026-10"
    assert d["suppressed"] is True and d["suppression"]["reason"] == "accepted risk"
    assert d["actual_cost_30d"] == target["actual_cost_30d"] and d["history"]


def test_csv_export_follows_the_filters(client: FlaskClient, seed: Callable[..., Any],
                                        acme: dict[str, str]) -> None:
    rows = seed("acme", n=25)
    resp = client.get("/api/findings.csv?region=us-east-1", headers=acme)
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert 'filename="findings-acme.csv"' in resp.headers["Content-Disposition"]
    parsed = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    assert sorted(r["finding_id"] for r in parsed) == sorted(
        r["finding_id"] for r in rows if r["region"] == "us-east-1")


def test_no_snapshot_yet_is_a_clear_empty_state(client: FlaskClient,
                                                acme: dict[str, str]) -> None:
    body = client.get("/api/overview", headers=acme).get_json()
    assert body["meta"]["has_snapshot"] is False and body["meta"]["error"] is None
    assert body["data"]["empty"] is True
    assert client.get("/api/findings", headers=acme).get_json()["data"]["total"] == 0


def test_broken_snapshot_shows_error_and_last_good_data(client: FlaskClient, data_dir: Path,
                                                        acme: dict[str, str]) -> None:
    write_set(data_dir, "acme", make_findings("acme", 8), version=1)
    assert client.get("/api/findings", headers=acme).get_json()["data"]["total"] == 8
    directory = write_set(data_dir, "acme", make_findings("acme", 9), version=2)
    (directory / "summary.json").write_text("{ truncated")
    body = client.get("/api/findings", headers=acme).get_json()
    assert body["meta"]["version"] == 1 and "summary.json" in body["meta"]["error"]
    assert body["data"]["total"] == 8


def test_broken_snapshot_with_no_good_one(client: FlaskClient, data_dir: Path,
                                          acme: dict[str, str]) -> None:
    directory = data_dir / "snapshots" / "acme"
    directory.mkdir(parents=True)
    (directory / "manifest.json").write_text("{")
    body = client.get("/api/overview", headers=acme).get_json()
    assert body["meta"]["has_snapshot"] is False
    assert "manifest.json unreadable" in body["meta"]["error"]
    assert body["data"]["empty"] is True


def test_no_cur_costs_are_null(client: FlaskClient, seed: Callable[..., Any],
                               acme: dict[str, str]) -> None:
    seed("acme", cur=False)
    d = client.get("/api/overview", headers=acme).get_json()["data"]
    assert d["has_cur"] is False and d["actual_cost_30d_covered"] is None
    items = client.get("/api/findings", headers=acme).get_json()["data"]["items"]
    assert all(i["actual_cost_30d"] is None for i in items)


def test_internal_errors_are_json_without_internals(client: FlaskClient, seed: Callable[..., Any],
                                                    acme: dict[str, str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    seed("acme")
    from web import views

    def boom(_snap: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(views, "scans", boom)
    resp = client.get("/api/scans", headers=acme)
    assert resp.status_code == 500 and resp.is_json
    assert "secret internals" not in resp.get_data(as_text=True)
    assert resp.get_json()["detail"] == "RuntimeError while serving /api/scans"


def test_sse_hello_carries_current_version(client: FlaskClient, seed: Callable[..., Any],
                                           acme: dict[str, str]) -> None:
    seed("acme", version=7)
    resp = client.get("/api/events", headers=acme, buffered=False)
    assert resp.status_code == 200 and resp.mimetype == "text/event-stream"
    chunk = next(iter(resp.response))
    chunk = chunk.decode() if isinstance(chunk, bytes) else chunk
    assert "event: hello" in chunk
    hello = json.loads(chunk.split("data: ", 1)[1])
    assert hello["version"] == 7 and hello["tenant"] == "acme"
    resp.close()


def test_wrong_method_is_a_json_405(client: FlaskClient, acme: dict[str, str]) -> None:
    resp = client.post("/api/overview", headers=acme)
    assert resp.status_code == 405 and resp.is_json
    assert resp.get_json()["error"] == "method_not_allowed"
