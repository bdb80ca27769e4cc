"""Who is asking: every request is scoped to exactly one tenant by an API token.

Tokens live in a JSON file as sha256 hashes only (`{"tokens": [{"tenant": "acme",
"sha256": "…"}]}`), so the file is not a secret by itself. A token arrives as
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
from dataclasses import dataclass
from pathlib import Path

from web.snapshots import valid_tenant

COOKIE = "finops_token"
_TOKEN_IN_TEXT = re.compile(r"((?:^|[?&])token=)[^&\s\"']*", re.IGNORECASE)
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


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


class TokenStore:
    """Hashed tokens from a config file; `tenant_for(token)` is the only question it answers."""

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
            entries.append(TokenEntry(tenant, digest))
        return cls(entries)

    def tenant_for(self, token: str | None) -> str | None:
        """The tenant the token belongs to, or None; compares against every entry."""
        if not token:
            return None
        digest = hash_token(token)
        found = None
        for entry in self.entries:
            if hmac.compare_digest(digest, entry.sha256) and found is None:
                found = entry.tenant
        return found


def bearer(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None
