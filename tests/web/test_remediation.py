"""Remediation from each check's metadata, in the API (list and detail) and the CSV, on a set the
real jobs wrote. The expected text is read from the checks' metadata.json files themselves."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from checks.docs import remediation_catalog
from checks.registry import load_checks
from web.app import create_app

CHECKS = Path(__file__).resolve().parents[2] / "checks"


def _metadata() -> dict[str, dict[str, Any]]:
    out = {}
    for path in CHECKS.glob("*/*/metadata.json"):
        meta = json.loads(path.read_text())
        out[meta["id"]] = meta
    return out


@pytest.fixture(scope="module")
def client(estate_output: Any) -> FlaskClient:
    app = create_app({"DATA_DIR": estate_output.data_dir, "AUTH_DISABLED": True,
                      "DEMO_TENANT": estate_output.tenant, "LIVE_WATCHERS": False,
                      "TESTING": True, "REMEDIATION": remediation_catalog(load_checks())})
    return app.test_client()


def test_every_finding_carries_its_checks_remediation(client: FlaskClient) -> None:
    meta = _metadata()
    items = client.get("/api/findings", query_string={"per_page": 500}).get_json()["data"]["items"]
    assert len({f["check_id"] for f in items}) > 5
    for f in items:
        want = meta[f["check_id"]]
        assert (f["remediation"], f["remediation_cli"]) == (
            want["remediation"], want["remediation_cli"]), f["check_id"]
    one = items[0]
    detail = client.get(f"/api/findings/{one['finding_id']}").get_json()["data"]
    assert detail["remediation"] == meta[one["check_id"]]["remediation"]
    assert detail["remediation_cli"] == meta[one["check_id"]]["remediation_cli"]
    rows = list(csv.DictReader(io.StringIO(
        client.get("/api/findings.csv").get_data(as_text=True))))
    assert len(rows) == len(items)
    for row in rows:
        want = meta[row["check_id"]]
        assert row["remediation"] == want["remediation"]
        assert row["remediation_cli"] in (want["remediation_cli"], "'" + want["remediation_cli"])


def test_unknown_check_has_no_remediation_rather_than_a_wrong_one(estate_output: Any) -> None:
    app = create_app({"DATA_DIR": estate_output.data_dir, "AUTH_DISABLED": True,
                      "DEMO_TENANT": estate_output.tenant, "LIVE_WATCHERS": False,
                      "TESTING": True, "REMEDIATION": {"some_other_check": {
                          "remediation": "x", "remediation_cli": "y"}}})
    items = app.test_client().get("/api/findings").get_json()["data"]["items"]
    assert items and all(f["remediation"] is None and f["remediation_cli"] is None
                         for f in items)
