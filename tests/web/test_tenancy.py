"""Tenant isolation and access: no page or API route lets tenant A see tenant B's data."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from web.app import ConfigError, create_app
from web.auth import COOKIE


def _routes(app: Flask, finding_id: str) -> list[str]:
    """Every GET route of the app, with the finding id filled in where one is needed."""
    out = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint in ("static", "healthz", "logout"):
            continue
        out.append(re.sub(r"<[^>]+>", finding_id, rule.rule))
    return sorted(out)


@pytest.fixture
def two_tenants(seed: Callable[..., Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return seed("acme", n=10, version=1), seed("globex", n=12, version=5)


def test_every_route_needs_a_token(
    app: Flask, client: FlaskClient, two_tenants: Any, tokens: dict[str, str]
) -> None:
    routes = _routes(app, two_tenants[0][0]["finding_id"])
    assert "/api/events" in routes and "/findings/<finding_id>" not in routes
    for path in routes:
        resp = client.get(path)
        assert resp.status_code == 401, path
        if path.startswith("/api/"):
            assert resp.is_json and resp.get_json()["error"] == "unauthorized"
        for secret in tokens.values():
            assert secret not in resp.get_data(as_text=True)


def test_wrong_token_is_rejected(client: FlaskClient, two_tenants: Any) -> None:
    resp = client.get("/api/findings", headers={"Authorization": "Bearer guess"})
    assert resp.status_code == 401 and resp.get_json()["detail"] == "that token is not valid"


def test_tenant_a_never_sees_tenant_b(
    app: Flask, client: FlaskClient, two_tenants: Any, auth_for: Callable[[str], dict[str, str]]
) -> None:
    acme_rows, globex_rows = two_tenants
    globex_ids = {r["finding_id"] for r in globex_rows}
    globex_markers = {r["resource_id"] for r in globex_rows} | globex_ids
    for path in _routes(app, globex_rows[0]["finding_id"]):
        if path == "/api/events":
            continue
        resp = client.get(path, headers=auth_for("acme"))
        body = resp.get_data(as_text=True)
        if path.startswith("/api/findings/"):
            assert resp.status_code == 404, path
        else:
            assert resp.status_code == 200, path
        leaked = [m for m in globex_markers if m in body and not path.endswith(m)]
        assert not leaked, f"{path} leaks globex data: {leaked[:3]}"
    # The same finding id is readable by its owner only.
    own = client.get(f"/api/findings/{globex_rows[0]['finding_id']}", headers=auth_for("globex"))
    assert own.status_code == 200 and own.get_json()["meta"]["tenant"] == "globex"


def test_tenant_parameters_in_the_request_are_ignored(
    client: FlaskClient, two_tenants: Any, auth_for: Callable[[str], dict[str, str]]
) -> None:
    body = client.get(
        "/api/findings?tenant=globex&tenant_id=globex&per_page=500",
        headers={**auth_for("acme"), "X-Tenant": "globex"},
    ).get_json()
    assert body["meta"]["tenant"] == "acme"
    assert {i["tenant_id"] for i in body["data"]["items"]} == {"acme"}


def test_foreign_rows_in_a_tenant_directory_are_dropped(
    client: FlaskClient,
    data_dir: Path,
    seed: Callable[..., Any],
    auth_for: Callable[[str], dict[str, str]],
) -> None:
    from web.sample import make_findings, write_set

    rows = make_findings("acme", 4) + make_findings("globex", 3)
    write_set(data_dir, "acme", rows, version=1)
    items = client.get("/api/findings", headers=auth_for("acme")).get_json()["data"]["items"]
    assert len(items) == 4 and {i["tenant_id"] for i in items} == {"acme"}


def test_query_token_sets_httponly_cookie_and_is_stripped(
    client: FlaskClient, two_tenants: Any, tokens: dict[str, str]
) -> None:
    resp = client.get(f"/findings?service=ec2&token={tokens['globex']}")
    assert resp.status_code == 303
    assert resp.headers["Location"] == "/findings?service=ec2"
    cookie = resp.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    # The browser now carries the cookie: pages and API answer for globex.
    assert client.get("/api/meta").get_json()["meta"]["tenant"] == "globex"
    page = client.get("/findings")
    assert page.status_code == 200 and 'data-tenant="globex"' in page.get_data(as_text=True)
    assert tokens["globex"] not in page.get_data(as_text=True)
    # the cookie is a signed, expiring session, not the token
    value = cookie.split(";", 1)[0].split("=", 1)[1]
    assert tokens["globex"] not in value and value.count(".") >= 2  # payload.time.signature
    assert "Max-Age=" in cookie


def test_a_forged_or_foreign_session_is_refused(app: Flask, client: FlaskClient,
                                                two_tenants: Any, tokens: dict[str, str]) -> None:
    from web.auth import SessionSigner

    client.get(f"/?token={tokens['acme']}")
    good = client.get_cookie(COOKIE)
    assert good is not None and client.get("/api/meta").get_json()["meta"]["tenant"] == "acme"
    # a session signed with another key, or edited to name another tenant, is worth nothing
    other = SessionSigner(b"not-this-servers-key", 3600).issue("globex", tokens["globex"])
    for forged in (other, good.value[:-2] + ("AA" if not good.value.endswith("AA") else "BB")):
        client.set_cookie(COOKIE, forged)
        assert client.get("/api/meta").status_code == 401
    # the raw token as a cookie (the old format) is not accepted either
    client.set_cookie(COOKIE, tokens["acme"])
    assert client.get("/api/meta").status_code == 401


def test_bad_query_token_gets_the_login_page(client: FlaskClient) -> None:
    resp = client.get("/?token=wrong")
    assert resp.status_code == 401 and resp.mimetype == "text/html"
    assert "that token is not valid" in resp.get_data(as_text=True)


def test_stale_cookie_is_cleared(client: FlaskClient) -> None:
    client.set_cookie(COOKIE, "revoked")  # neither a valid session nor anything else
    resp = client.get("/api/meta")
    assert resp.status_code == 401
    assert f"{COOKIE}=;" in resp.headers["Set-Cookie"]


def test_sse_events_go_to_their_tenant_only(app: Flask, two_tenants: Any) -> None:
    broadcaster = app.extensions["finops"]["broadcaster"]
    acme_q = broadcaster.subscribe("acme")
    globex_q = broadcaster.subscribe("globex")
    announcer = app.extensions["finops"]["announcer"]
    assert announcer.poke("globex", "test")["version"] == 5
    assert globex_q.get_nowait()["tenant"] == "globex"
    assert acme_q.empty()


def test_auth_off_serves_one_tenant_with_a_badge(
    data_dir: Path, seed: Callable[..., Any], auth_for: Callable[[str], dict[str, str]]
) -> None:
    seed("acme", n=5)
    seed("globex", n=5)
    app = create_app(
        {"DATA_DIR": data_dir, "AUTH_DISABLED": True, "DEMO_TENANT": "acme", "LIVE_WATCHERS": False}
    )
    c = app.test_client()
    page = c.get("/").get_data(as_text=True)
    assert 'id="auth-off"' in page and "auth off (demo)" in page
    body = c.get("/api/findings", headers=auth_for("globex")).get_json()
    assert body["meta"]["auth"] == "off" and body["meta"]["tenant"] == "acme"
    assert {i["tenant_id"] for i in body["data"]["items"]} == {"acme"}


def test_auth_badge_absent_with_tokens(
    client: FlaskClient,
    two_tenants: Any,
    tokens: dict[str, str],
    auth_for: Callable[[str], dict[str, str]],
) -> None:
    assert 'id="auth-off"' not in client.get("/", headers=auth_for("acme")).get_data(as_text=True)


@pytest.mark.parametrize(
    "config,message",
    [
        ({}, "tokens file is required"),
        ({"AUTH_DISABLED": True}, "one valid tenant"),
        ({"AUTH_DISABLED": True, "DEMO_TENANT": "../etc"}, "one valid tenant"),
    ],
)
def test_refuses_to_start_open_by_accident(
    data_dir: Path, config: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        create_app({"DATA_DIR": data_dir, "LIVE_WATCHERS": False, **config})


def test_logout_forgets_the_cookie(client: FlaskClient, two_tenants: Any,
                                   tokens: dict[str, str]) -> None:
    client.get(f"/?token={tokens['acme']}")
    assert client.get("/api/meta").status_code == 200
    resp = client.get("/logout")
    assert resp.status_code == 303 and f"{COOKIE}=;" in resp.headers["Set-Cookie"]
    assert client.get("/api/meta").status_code == 401
