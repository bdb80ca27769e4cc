"""Who is asking: every request is scoped to exactly one tenant by an API token.

Tokens live in a JSON file as sha256 hashes only (`{"tokens": [{"tenant": "acme",
"sha256": "…", "name": "ana"?}]}`), so the file is not a secret by itself; `name` is who the
token is in the audit log of dashboard writes (default: "token <first 8 hex of its hash>"). A token arrives as
`Authorization: Bearer …`, as the HttpOnly cookie the browser holds, or once as `?token=`
on a page link, which sets that cookie and redirects to the same URL without the token (so
it does not stay in the address bar, history or later log lines). Lookup hashes the
presented token and compares it to every entry with `hmac.compare_digest`, so timing says
nothing about which prefix matched. With auth off (a local single-tenant demo only) every
request is that one tenant, and every page carries an "auth off (demo)" badge.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from web.snapshots import valid_tenant

COOKIE = "finops_token"
_TOKEN_IN_TEXT = re.compile(r"((?:^|[?&])token=)[^&\s\"']*", re.IGNORECASE)
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_NAME = re.compile(r"^[\w.@+ -]{1,64}$")


class AuthConfigError(Exception):
    """The tokens file is missing, unreadable or malformed."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def redact(text: str) -> str:
    """Text with any `token=` query value replaced (for log lines carrying URLs)."""
    return _TOKEN_IN_TEXT.sub(r"\1[redacted]", text)


class RedactTokens(logging.Filter):
    """Keeps `?token=` values out of access logs (werkzeug logs the request line)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args and isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


@dataclass(frozen=True)
class TokenEntry:
    tenant: str
    sha256: str
    name: str | None = None

    @property
    def identity(self) -> str:
        """Who this token is in audit entries: its name, else a prefix of its hash."""
        return self.name or f"token {self.sha256[:8]}"


class TokenStore:
    """Hashed tokens from a config file; which entry (tenant, name) a token is, nothing more."""

    def __init__(self, entries: list[TokenEntry]) -> None:
        self.entries = entries

    @classmethod
    def from_file(cls, path: Path | str) -> TokenStore:
        try:
            doc = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise AuthConfigError(f"tokens file {path}: {exc}") from exc
        rows = doc.get("tokens") if isinstance(doc, dict) else None
        if not isinstance(rows, list):
            raise AuthConfigError(f"tokens file {path}: expected {{\"tokens\": [...]}}")
        entries = []
        for i, row in enumerate(rows):
            tenant = row.get("tenant") if isinstance(row, dict) else None
            digest = str(row.get("sha256", "")).lower() if isinstance(row, dict) else ""
            if not isinstance(tenant, str) or not valid_tenant(tenant):
                raise AuthConfigError(f"tokens file {path}: entry {i} has an invalid tenant")
            if not _HEX64.match(digest):
                raise AuthConfigError(
                    f"tokens file {path}: entry {i} ({tenant}) needs a 64-hex sha256 of the token"
                )
            name = row.get("name")
            if name is not None and not (isinstance(name, str) and _NAME.match(name)):
                raise AuthConfigError(
                    f"tokens file {path}: entry {i} ({tenant}) has a name that is not 1-64 "
                    "letters, digits, spaces or . @ + - _")
            entries.append(TokenEntry(tenant, digest, name))
        return cls(entries)

    def entry_for(self, token: str | None) -> TokenEntry | None:
        """The entry of the token, or None; compares against every entry."""
        if not token:
            return None
        digest = hash_token(token)
        found = None
        for entry in self.entries:
            if hmac.compare_digest(digest, entry.sha256) and found is None:
                found = entry
        return found

    def tenant_for(self, token: str | None) -> str | None:
        """The tenant the token belongs to, or None."""
        entry = self.entry_for(token)
        return entry.tenant if entry else None


class SessionSigner:
    """The browser's cookie: a signed, timestamped session naming the tenant and the hash of
    the token it was opened with, never the token itself. A stolen cookie is worth a session
    (it expires, and dies when its token is removed from the tokens file), not the token. The
    key is the app's SECRET_KEY: random per process unless configured, so a restart ends
    every session (pages ask for the token again)."""

    SALT = "finops-session-v1"

    def __init__(self, secret: str | bytes, max_age_s: int) -> None:
        from itsdangerous import URLSafeTimedSerializer

        self._ser = URLSafeTimedSerializer(secret, salt=self.SALT)
        self.max_age_s = max_age_s

    def issue(self, tenant: str, token: str) -> str:
        # "s": a random session id, which CSRF tokens are bound to (web/csrf.py)
        return str(self._ser.dumps({"t": tenant, "h": hash_token(token),
                                    "s": secrets.token_urlsafe(16)}))

    def tenant_for(self, cookie: str | None, tokens: TokenStore) -> str | None:
        """The session's tenant while it is fresh, well signed and its token still listed."""
        found = self.session_for(cookie, tokens)
        return found[0].tenant if found else None

    def session_for(self, cookie: str | None,
                    tokens: TokenStore) -> tuple[TokenEntry, str] | None:
        """(token entry, session id) of a fresh, well-signed session whose token is listed."""
        if not cookie:
            return None
        from itsdangerous import BadSignature

        try:
            doc = self._ser.loads(cookie, max_age=self.max_age_s)
        except BadSignature:  # also SignatureExpired
            return None
        if not isinstance(doc, dict):
            return None
        digest, tenant = str(doc.get("h", "")), doc.get("t")
        for entry in tokens.entries:
            if hmac.compare_digest(digest, entry.sha256) and entry.tenant == tenant:
                return entry, str(doc.get("s") or digest)
        return None


def bearer(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None
