"""Tokens file parsing, token lookup, bearer parsing, redaction of tokens in log lines."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from web.auth import AuthConfigError, RedactTokens, TokenStore, bearer, hash_token, redact


def test_tenant_for_matches_hash_only(tokens_file: Path) -> None:
    store = TokenStore.from_file(tokens_file)
    assert store.tenant_for("acme-secret-token-1") == "acme"
    assert store.tenant_for("globex-secret-token-2") == "globex"
    assert store.tenant_for("acme-secret-token-") is None
    assert store.tenant_for(hash_token("acme-secret-token-1")) is None  # the hash is no token
    assert store.tenant_for("") is None and store.tenant_for(None) is None
    assert "acme-secret-token-1" not in tokens_file.read_text()


@pytest.mark.parametrize("doc,message", [
    ("not json", "tokens file"),
    ('{"tokens": {}}', "expected"),
    ('{"tokens": [{"tenant": "../x", "sha256": "' + "a" * 64 + '"}]}', "invalid tenant"),
    ('{"tokens": [{"tenant": "acme", "sha256": "plaintext"}]}', "64-hex sha256"),
])
def test_bad_tokens_files_fail_with_context(tmp_path: Path, doc: str, message: str) -> None:
    path = tmp_path / "t.json"
    path.write_text(doc)
    with pytest.raises(AuthConfigError, match=message):
        TokenStore.from_file(path)


def test_missing_tokens_file(tmp_path: Path) -> None:
    with pytest.raises(AuthConfigError, match="missing.json"):
        TokenStore.from_file(tmp_path / "missing.json")


def test_bearer() -> None:
    assert bearer("Bearer abc") == "abc"
    assert bearer("bearer  abc ") == "abc"
    assert bearer("Basic abc") is None and bearer(None) is None and bearer("Bearer ") is None


def test_redact_and_log_filter() -> None:
    assert redact('"GET /?token=s3cret&x=1 HTTP/1.1"') == '"GET /?token=[redacted]&x=1 HTTP/1.1"'
    assert redact("/findings?a=1&token=abc") == "/findings?a=1&token=[redacted]"
    record = logging.makeLogRecord({"msg": '%s "%s" %s', "args": ("1.2.3.4", "GET /?token=zz", 200)})
    RedactTokens().filter(record)
    assert "zz" not in record.getMessage() and "[redacted]" in record.getMessage()


def test_uppercase_hash_in_file_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"tokens": [{"tenant": "acme", "sha256": hash_token("x").upper()}]}))
    assert TokenStore.from_file(path).tenant_for("x") == "acme"
