"""Suppress from the dashboard: who may write (token, session + CSRF, auth off), what is written
(a rule the jobs' own parser accepts, an append-only audit trail), and that the next window of
the real jobs applies it to the totals."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from jobs.suppressions import parse
from web.app import ConfigError, create_app
from web.auth import AuthConfigError, TokenStore, hash_token

TOKENS = {"acme": "acme-secret-token-1", "globex": "globex-secret-token-2"}


@pytest.fixture
def named_tokens(tmp_path: Path) -> Path:
    """acme's token is named "ana" (the audit's who); globex's has no name."""
    path = tmp_path / "named-tokens.json"
    path.write_text(json.dumps({"tokens": [
        {"tenant": "acme", "sha256": hash_token(TOKENS["acme"]), "name": "ana"},
        {"tenant": "globex", "sha256": hash_token(TOKENS["globex"])}]}))
    return path


@pytest.fixture
def app(data_dir: Path, named_tokens: Path) -> Flask:
    return create_app({"DATA_DIR": data_dir, "TOKENS_FILE": named_tokens,
                       "LIVE_WATCHERS": False, "TESTING": True})


def bearer(tenant: str = "acme") -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[tenant]}"}


def _url(fid: str) -> str:
    return f"/api/findings/{fid}/suppression"


def _page_csrf(client: FlaskClient, fid: str) -> str:
    html = client.get(f"/findings/{fid}").get_data(as_text=True)
    found = re.search(r'data-csrf="([^"]*)"', html)
    assert found, "the finding page renders no CSRF token"
    return found.group(1)


def _signed_in(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert client.get(f"/?token={TOKENS['acme']}").status_code == 303  # sets the session cookie
    return client


def _rules(data_dir: Path, tenant: str = "acme") -> list[dict[str, Any]]:
    return json.loads((data_dir / "suppressions" / f"{tenant}.json").read_text())["suppressions"]


def test_a_token_suppresses_and_lifts_and_every_change_is_audited(
        app: Flask, seed: Callable[..., list[dict[str, Any]]], data_dir: Path) -> None:
    finding = seed("acme", n=10)[4]
    client = app.test_client()
    expires = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    resp = client.post(_url(finding["finding_id"]), headers=bearer(),
                       json={"reason": "  kept for   the DR test ", "expires_at": expires})
    assert resp.status_code == 201, resp.get_json()
    rules = _rules(data_dir)
    assert rules == [{"fingerprint": finding["fingerprint"], "reason": "kept for the DR test",
                      "author": "ana", "created_at": rules[0]["created_at"],
                      "expires_at": f"{expires}T00:00:00Z"}]
    # the jobs' own parser takes what the dashboard wrote
    parsed = parse({"suppressions": rules}, "acme.json")
    assert parsed[0].fingerprint == finding["fingerprint"] and parsed[0].author == "ana"

    state = client.get(_url(finding["fingerprint"]), headers=bearer()).get_json()["data"]
    assert state["pending"] and state["rule"]["reason"] == "kept for the DR test"
    assert not state["suppressed"]  # the snapshot applies it only after the next window

    resp = client.delete(_url(finding["finding_id"]), headers=bearer(), json={"reason": "done"})
    assert resp.status_code == 200, resp.get_json()
    assert _rules(data_dir) == []
    audit_file = data_dir / "suppressions" / "audit" / "acme.jsonl"
    lines = audit_file.read_text().splitlines()
    entries = [json.loads(line) for line in lines]
    assert [(e["action"], e["who"], e["via"], e["reason"]) for e in entries] == [
        ("suppress", "ana", "token", "kept for the DR test"), ("unsuppress", "ana", "token", "done")]
    assert all(e["fingerprint"] == finding["fingerprint"] for e in entries)
    # append-only: a further change adds a line and leaves the earlier ones as they were
    client.post(_url(finding["finding_id"]), headers=bearer(), json={"reason": "again"})
    assert audit_file.read_text().splitlines()[:2] == lines
    history = client.get(_url(finding["finding_id"]), headers=bearer()).get_json()["data"]["history"]
    assert [h["action"] for h in history] == ["suppress", "unsuppress", "suppress"]


def test_writes_without_a_token_are_refused(app: Flask, seed: Callable[..., Any],
                                            data_dir: Path) -> None:
    fid = seed("acme", n=5)[0]["finding_id"]
    client = app.test_client()
    assert client.post(_url(fid), json={"reason": "x"}).status_code == 401
    assert client.delete(_url(fid), json={}).status_code == 401
    bad = {"Authorization": "Bearer not-a-token"}
    assert client.post(_url(fid), headers=bad, json={"reason": "x"}).status_code == 401
    assert not (data_dir / "suppressions" / "acme.json").exists()


def test_a_session_write_needs_the_csrf_token_of_its_own_session(
        app: Flask, seed: Callable[..., Any], data_dir: Path) -> None:
    fid = seed("acme", n=5)[1]["finding_id"]
    client = _signed_in(app)
    token = _page_csrf(client, fid)
    assert token
    no_csrf = client.post(_url(fid), json={"reason": "x"})
    assert no_csrf.status_code == 403 and "CSRF" in no_csrf.get_json()["detail"]
    forged = client.post(_url(fid), json={"reason": "x"}, headers={"X-CSRF-Token": token + "x"})
    assert forged.status_code == 403
    other = _signed_in(app)  # a second session of the same token has its own CSRF token
    other_token = _page_csrf(other, fid)
    assert other_token != token
    assert client.post(_url(fid), json={"reason": "x"},
                       headers={"X-CSRF-Token": other_token}).status_code == 403
    assert not (data_dir / "suppressions" / "acme.json").exists()
    ok = client.post(_url(fid), json={"reason": "x"}, headers={"X-CSRF-Token": token})
    assert ok.status_code == 201, ok.get_json()
    assert ok.get_json()["data"]["change"]["via"] == "session"
    # a plain form post carries it as a field
    lift = client.delete(_url(fid), data={"csrf_token": token})
    assert lift.status_code == 200, lift.get_json()


def test_auth_off_refuses_writes_unless_explicitly_allowed(
        data_dir: Path, seed: Callable[..., Any]) -> None:
    fid = seed("acme", n=5)[2]["finding_id"]
    base = {"DATA_DIR": data_dir, "AUTH_DISABLED": True, "DEMO_TENANT": "acme",
            "LIVE_WATCHERS": False, "TESTING": True}
    client = create_app(base).test_client()
    refused = client.post(_url(fid), json={"reason": "x"})
    assert refused.status_code == 403 and "auth is off" in refused.get_json()["detail"]
    state = client.get(_url(fid)).get_json()["data"]
    assert not state["can_write"] and "auth is off" in state["write_refusal"]

    open_app = create_app({**base, "AUTH_OFF_WRITES": True})
    client = open_app.test_client()
    assert client.post(_url(fid), json={"reason": "x"}).status_code == 403  # still needs CSRF
    resp = client.post(_url(fid), json={"reason": "x"},
                       headers={"X-CSRF-Token": _page_csrf(client, fid)})
    assert resp.status_code == 201, resp.get_json()
    assert _rules(data_dir)[0]["author"] == "anonymous (auth off)"
    with pytest.raises(ConfigError, match="auth off"):
        create_app({**base, "AUTH_DISABLED": False, "TOKENS_FILE": "x", "AUTH_OFF_WRITES": True})


@pytest.mark.parametrize(("body", "status", "detail"), [
    ({}, 400, "reason is required"),
    ({"reason": "   "}, 400, "reason is required"),
    ({"reason": "x" * 501}, 400, "longer than 500"),
    ({"reason": "x", "expires_at": "2020-01-01"}, 400, "not in the future"),
    ({"reason": "x", "expires_at": "next week"}, 400, "not an ISO-8601"),
    ({"reason": "x", "expires_at": "2099-01-01T00:00:00"}, 400, "no time zone"),
])
def test_bad_requests_are_refused_and_write_nothing(
        app: Flask, seed: Callable[..., Any], data_dir: Path, body: dict[str, Any],
        status: int, detail: str) -> None:
    fid = seed("acme", n=5)[3]["finding_id"]
    resp = app.test_client().post(_url(fid), headers=bearer(), json=body)
    assert resp.status_code == status and detail in resp.get_json()["detail"]
    assert not (data_dir / "suppressions" / "acme.json").exists()
    assert not (data_dir / "suppressions" / "audit" / "acme.jsonl").exists()


def test_other_refusals(app: Flask, seed: Callable[..., Any], data_dir: Path) -> None:
    acme = seed("acme", n=6)
    seed("globex", n=4)
    client = app.test_client()
    # another tenant's finding is not there for this token
    assert client.post(_url(acme[0]["finding_id"]), headers=bearer("globex"),
                       json={"reason": "x"}).status_code == 404
    assert client.post(_url("nope"), headers=bearer(), json={"reason": "x"}).status_code == 404
    # a correlated finding is built from its sources: suppress those instead
    meta = json.loads((data_dir / "snapshots" / "acme" / "correlated_findings.json").read_text())
    meta_id = (meta[0] if isinstance(meta, list) else meta["findings"][0])["finding_id"]
    resp = client.post(_url(meta_id), headers=bearer(), json={"reason": "x"})
    assert resp.status_code == 400 and "correlated" in resp.get_json()["detail"]
    # nothing to lift
    resp = client.delete(_url(acme[1]["finding_id"]), headers=bearer(), json={})
    assert resp.status_code == 409
    assert not (data_dir / "suppressions").exists() or not list(
        (data_dir / "suppressions").glob("*.json"))


def test_hand_written_rules_are_kept_in_order(app: Flask, seed: Callable[..., Any],
                                              data_dir: Path) -> None:
    finding = seed("acme", n=5)[0]
    folder = data_dir / "suppressions"
    folder.mkdir()
    hand = [{"tag": "env=dev", "reason": "sandbox", "author": "ops"},
            {"fingerprint": finding["fingerprint"], "check_id": finding["check_id"],
             "reason": "hand-made, narrower", "author": "ops"}]
    (folder / "acme.json").write_text(json.dumps({"suppressions": hand}))
    client = app.test_client()
    assert client.post(_url(finding["finding_id"]), headers=bearer(),
                       json={"reason": "mine"}).status_code == 201
    assert _rules(data_dir)[:2] == hand and _rules(data_dir)[2]["reason"] == "mine"
    assert client.delete(_url(finding["finding_id"]), headers=bearer()).status_code == 200
    assert _rules(data_dir) == hand  # the hand-made rule (it has a second matcher) stays
    (folder / "acme.json").write_text("{broken")
    resp = client.post(_url(finding["finding_id"]), headers=bearer(), json={"reason": "x"})
    assert resp.status_code == 409 and "fix it by hand" in resp.get_json()["detail"]
    assert (folder / "acme.json").read_text() == "{broken"


def test_token_names_are_validated(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"tokens": [{"tenant": "acme", "sha256": "a" * 64,
                                            "name": "<script>"}]}))
    with pytest.raises(AuthConfigError, match="name"):
        TokenStore.from_file(path)
    path.write_text(json.dumps({"tokens": [{"tenant": "acme", "sha256": "a" * 64}]}))
    assert TokenStore.from_file(path).entries[0].identity == "token aaaaaaaa"


def _copy_inputs(src: Path, dst: Path) -> Path:
    """The jobs' inputs of a set (not its snapshots): a private copy the test may change."""
    for name in ("findings", "scans", "cur_facts", "suppressions"):
        if (src / name).exists():
            shutil.copytree(src / name, dst / name)
    return dst


def test_the_next_window_of_the_real_jobs_applies_a_dashboard_suppression(
        estate_output: Any, tmp_path: Path, named_tokens: Path) -> None:
    """Suppress through the API on a set the jobs wrote, run the next window: the finding is
    suppressed with the reason and author, and the headline drops by exactly its savings."""
    from jobs.window import JobPaths, JobRunner

    data = _copy_inputs(estate_output.data_dir, tmp_path / "data")
    runner = JobRunner(JobPaths.under(data), threads=1)
    try:
        assert runner.run_window().error is None
        app = create_app({"DATA_DIR": data, "TOKENS_FILE": named_tokens, "LIVE_WATCHERS": False,
                          "TESTING": True})
        client = app.test_client()

        def overview() -> dict[str, Any]:
            return client.get("/api/overview", headers=bearer()).get_json()["data"]

        before = overview()
        rows = json.loads((data / "snapshots" / "acme" / "findings.json").read_text())
        # one outside every correlated finding: leaving the correlation input
        # then changes nothing else, so the headline moves by its savings alone
        target = next(f for f in rows if f["counted"] and f["estimated_monthly_savings"]
                      and Decimal(f["estimated_monthly_savings"]) > 0
                      and not f.get("correlated_in"))
        assert client.post(_url(target["finding_id"]), headers=bearer(),
                           json={"reason": "accepted risk"}).status_code == 201
        report = runner.run_window()
        assert report.error is None and "acme" in report.tenants_written
        after = overview()
        got = client.get(f"/api/findings/{target['fingerprint']}", headers=bearer()).get_json()
        row = got["data"]
        assert row["suppressed"] and row["count_state"] == "suppressed" and not row["counted"]
        assert row["suppression"]["reason"] == "accepted risk"
        assert row["suppression"]["author"] == "ana"
        assert after["findings_open"] == before["findings_open"] - 1
        assert (Decimal(before["estimated_monthly_savings"]) - Decimal(after[
            "estimated_monthly_savings"])) == Decimal(target["estimated_monthly_savings"])
        state = client.get(_url(target["finding_id"]), headers=bearer()).get_json()["data"]
        assert state["suppressed"] and not state["pending"]

        assert client.delete(_url(target["finding_id"]), headers=bearer()).status_code == 200
        assert client.get(_url(target["finding_id"]), headers=bearer()).get_json()[
            "data"]["pending"]
        assert runner.run_window().error is None
        restored = overview()
        assert restored["estimated_monthly_savings"] == before["estimated_monthly_savings"]
        assert restored["findings_open"] == before["findings_open"]
    finally:
        runner.close()
