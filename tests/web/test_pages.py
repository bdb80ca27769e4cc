"""HTML pages: every page renders, escapes hostile values, carries the security headers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from web.sample import HOSTILE

PAGES = ["/", "/findings", "/correlations", "/coverage", "/scans"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_render_with_status_bar(client: FlaskClient, seed: Callable[..., Any],
                                      acme: dict[str, str], path: str) -> None:
    seed("acme")
    resp = client.get(path, headers=acme)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    for marker in ('id="last-updated"', 'id="conn"', 'id="banner"', "vendor/chart.umd.js"):
        assert marker in html, marker
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_detail_page_escapes_the_id(client: FlaskClient, seed: Callable[..., Any],
                                    acme: dict[str, str]) -> None:
    seed("acme")
    resp = client.get('/findings/"><script>alert(1)<%2Fscript>', headers=acme)
    html = resp.get_data(as_text=True)
    assert resp.status_code in (200, 404)
    assert "<script>alert(1)" not in html


def test_hostile_values_only_reach_pages_through_json(client: FlaskClient,
                                                      seed: Callable[..., Any],
                                                      acme: dict[str, str]) -> None:
    rows = seed("acme", n=10, hostile=True)
    for path in PAGES + [f"/findings/{rows[1]['finding_id']}"]:
        html = client.get(path, headers=acme).get_data(as_text=True)
        for value in HOSTILE:
            assert value not in html, (path, value)
    api = client.get("/api/findings?per_page=500", headers=acme)
    assert api.mimetype == "application/json"
    assert any(v in api.get_json()["data"]["items"][i]["tags"].values()
               for i in range(10) for v in HOSTILE)


def test_page_scripts_never_use_inner_html() -> None:
    static = Path(__file__).resolve().parents[2] / "web" / "static"
    for script in static.glob("*.js"):
        text = script.read_text()
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in text, f"{script.name} uses {sink}"


def test_static_assets_are_served(client: FlaskClient) -> None:
    for path in ("/static/common.js", "/static/app.css", "/static/vendor/chart.umd.js"):
        assert client.get(path).status_code == 200, path


def test_healthz_needs_no_token(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json() == {"ok": True}
