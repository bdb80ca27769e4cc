"""`finops web`: argument rules, --hash-token, and a real server process (logs keep no token)."""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from finops.cli import main
from finops.commands.web import config_from_args
from web.auth import hash_token
from web.sample import make_findings, write_set


def _args(**over: object) -> argparse.Namespace:
    base = {"data_dir": None, "tokens": None, "no_auth": False, "tenant": None,
            "bootstrap": None, "no_kafka": False}
    base.update(over)
    return argparse.Namespace(**base)


@pytest.mark.parametrize("over,message", [
    ({}, "give --tokens FILE"),
    ({"no_auth": True}, "--no-auth needs --tenant"),
    ({"no_auth": True, "tokens": "t.json", "tenant": "a"}, "exclude each other"),
    ({"tokens": "t.json", "tenant": "a"}, "only applies with --no-auth"),
])
def test_contradictory_arguments_are_refused(over: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        config_from_args(_args(**over))


def test_kafka_source(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "k:1")
    assert config_from_args(_args(tokens="t"))["KAFKA_BOOTSTRAP"] == "k:1"
    assert config_from_args(_args(tokens="t", bootstrap="b:2"))["KAFKA_BOOTSTRAP"] == "b:2"
    assert config_from_args(_args(tokens="t", no_kafka=True))["KAFKA_BOOTSTRAP"] is None


def test_hash_token_reads_stdin(monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("s3cret\n"))
    assert main(["web", "--hash-token"]) == 0
    assert capsys.readouterr().out.strip() == hash_token("s3cret")


def test_add_token_appends_a_hash_the_server_accepts(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from web.auth import TokenStore

    path = tmp_path / "deploy" / "tokens.json"
    assert main(["web", "--add-token", "acme", "--token-name", "ana", "--tokens", str(path)]) == 0
    first = capsys.readouterr().out.strip()
    assert main(["web", "--add-token", "globex", "--tokens", str(path)]) == 0
    second = capsys.readouterr().out.strip()
    store = TokenStore.from_file(path)
    assert store.entry_for(first) is not None and store.entry_for(first).identity == "ana"
    assert store.tenant_for(second) == "globex" and first != second
    assert first not in path.read_text() and second not in path.read_text()
    assert main(["web", "--add-token", "../x", "--tokens", str(path)]) == 2
    assert "invalid tenant" in capsys.readouterr().err
    assert len(TokenStore.from_file(path).entries) == 2  # a refused entry is not written
    assert main(["web", "--add-token", "acme"]) == 2


def test_writes_without_auth_need_no_auth() -> None:
    with pytest.raises(ValueError, match="only applies with --no-auth"):
        config_from_args(_args(tokens="t", allow_writes_without_auth=True))
    got = config_from_args(_args(no_auth=True, tenant="acme", allow_writes_without_auth=True))
    assert got["AUTH_OFF_WRITES"] is True


def test_bad_tokens_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["web", "--tokens", str(tmp_path / "none.json"), "--no-kafka"]) == 2
    assert "none.json" in capsys.readouterr().err


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_server_process_serves_and_keeps_tokens_out_of_logs(tmp_path: Path) -> None:
    token = "proc-secret-token-xyz"
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps({"tokens": [{"tenant": "acme", "sha256": hash_token(token)}]}))
    write_set(tmp_path, "acme", make_findings("acme", 4), version=2)
    port = _free_port()
    log = (tmp_path / "web.log").open("w")
    finops = Path(sys.executable).with_name("finops")
    proc = subprocess.Popen(
        [str(finops), "web", "--port", str(port), "--data-dir", str(tmp_path), "--tokens",
         str(tokens), "--no-kafka"], stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # bounded wait for the port (not a timing assertion)
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.1)
        req = urllib.request.Request(f"{base}/api/meta",
                                     headers={"Authorization": f"Bearer {token}"})
        meta = json.load(urllib.request.urlopen(req, timeout=10))["meta"]
        assert meta["tenant"] == "acme" and meta["version"] == 2
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        page = opener.open(f"{base}/findings?token={token}", timeout=10)
        assert page.status == 200 and "token=" not in page.url
        with pytest.raises(urllib.error.HTTPError) as denied:
            urllib.request.urlopen(f"{base}/api/findings?token=wrong-{token}", timeout=10)
        assert denied.value.code == 401
        # a Host this server does not answer to is refused, a valid token notwithstanding
        evil = urllib.request.Request(f"{base}/api/meta", headers={
            "Authorization": f"Bearer {token}", "Host": "evil.example"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(evil, timeout=10)
        assert refused.value.code == 400
        assert json.load(refused.value)["detail"] == "host not allowed"
        # the production server streams the live events unbuffered: the hello arrives
        events = urllib.request.urlopen(urllib.request.Request(
            f"{base}/api/events", headers={"Authorization": f"Bearer {token}"}), timeout=30)
        assert events.headers["Server"] == "finops-web"  # waitress, not the dev server
        first = b"".join(events.readline() for _ in range(3))
        assert b"hello" in first, first
        events.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
    text = (tmp_path / "web.log").read_text()
    assert proc.returncode == 0, text[-2000:]  # SIGTERM: a clean stop
    assert "dashboard stopped" in text
    assert "request refused" in text and "path=/api/findings" in text, text[-2000:]
    assert token not in text


def test_the_dashboard_gets_every_checks_remediation() -> None:
    from checks.registry import load_checks

    got = config_from_args(_args(tokens="t", no_kafka=True))["REMEDIATION"]
    checks = load_checks()
    assert isinstance(got, dict) and set(got) == set(checks)
    for check_id, check in checks.items():
        assert got[check_id]["remediation"] == check.meta.remediation
        assert got[check_id]["remediation_cli"] == check.meta.remediation_cli


def test_allowed_hosts_default_to_loopback_and_the_bind_name() -> None:
    from finops.commands.web import allowed_hosts

    assert allowed_hosts(_args(host="127.0.0.1")) == ["localhost", "127.0.0.1", "[::1]"]
    assert allowed_hosts(_args(host="finops.internal"))[-1] == "finops.internal"
    assert "0.0.0.0" not in allowed_hosts(_args(host="0.0.0.0"))
    assert allowed_hosts(_args(host="0.0.0.0", allowed_hosts="dash.example.com, .corp")) == [
        "dash.example.com", ".corp"]
