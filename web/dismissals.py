"""Dismiss from the dashboard: one finding's suppression rule in the tenant's store, audited.

The store is the file the jobs read (`<suppressions_dir>/<tenant>.json`, format in
jobs/suppressions.py; the web layer may not import the jobs, so this module writes the same
documented format and a test feeds what it writes to the jobs' parser). A dismissal is a rule
naming the finding by `fingerprint` (its logical identity, stable across scans), so it hits
that finding only and survives re-scans; the next jobs window sees the file change and applies
it. Rules written by hand (by tag, check, account …) are kept as they are, in their order.

Every change is appended to `<suppressions_dir>/audit/<tenant>.jsonl` (who, when, what, why)
before the rule file is replaced; the audit file is only ever appended to. Both writes hold an
exclusive lock on `<tenant>.lock`, and the rule file is replaced atomically (temp file, fsync,
rename), so the jobs never read half a file and two servers never lose each other's rules.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from web.snapshots import valid_tenant

MAX_REASON = 500


class DismissError(ValueError):
    """A request the store refuses; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a token's name (or its hash prefix) and how they signed in."""

    who: str
    via: str  # "session", "token" or "auth off"


def parse_expiry(text: str | None, now: datetime) -> datetime | None:
    """An expiry from a form or API body: ISO-8601 with a time zone, or a date (that day,
    00:00 UTC); it must lie in the future."""
    if text is None or not str(text).strip():
        return None
    raw = str(text).strip()
    try:
        if len(raw) == 10:
            when = datetime.combine(date.fromisoformat(raw), time(0), tzinfo=UTC)
        else:
            when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise DismissError(f"expires_at {raw!r} is not an ISO-8601 date or time") from exc
    if when.tzinfo is None:
        raise DismissError(f"expires_at {raw!r} has no time zone (add Z or +00:00)")
    when = when.astimezone(UTC)
    if when <= now:
        raise DismissError(f"expires_at {raw!r} is not in the future")
    return when


def _iso(ts: datetime) -> str:
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def clean_reason(text: object) -> str:
    reason = " ".join(str(text or "").split())
    if not reason:
        raise DismissError("a reason is required")
    if len(reason) > MAX_REASON:
        raise DismissError(f"the reason is longer than {MAX_REASON} characters")
    return reason


class DismissalStore:
    """The tenants' suppression files under one folder (the jobs' `--suppressions-dir`)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def _path(self, tenant: str, suffix: str) -> Path:
        if not valid_tenant(tenant):
            raise DismissError(f"invalid tenant {tenant!r}", 500)
        return self.folder / f"{tenant}{suffix}"

    def audit_path(self, tenant: str) -> Path:
        self._path(tenant, "")
        return self.folder / "audit" / f"{tenant}.jsonl"

    @contextmanager
    def _locked(self, tenant: str) -> Iterator[None]:
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self._path(tenant, ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _read(self, tenant: str) -> list[dict[str, Any]]:
        path = self._path(tenant, ".json")
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except ValueError as exc:  # a hand edit broke it: refuse rather than overwrite it
            raise DismissError(f"{path} is not valid JSON ({exc}); fix it by hand first", 409) from exc
        rules = doc.get("suppressions") if isinstance(doc, dict) else None
        if not isinstance(rules, list):
            raise DismissError(f"{path}: expected {{\"suppressions\": [...]}}; fix it by hand first",
                               409)
        return rules

    def _write(self, tenant: str, rules: list[dict[str, Any]]) -> None:
        path = self._path(tenant, ".json")
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "w", encoding="utf-8") as out:
            json.dump({"suppressions": rules}, out, indent=2, sort_keys=True)
            out.write("\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)

    def _audit(self, tenant: str, entry: dict[str, Any]) -> None:
        path = self.audit_path(tenant)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        with os.fdopen(fd, "a", encoding="utf-8") as out:
            out.write(json.dumps(entry, sort_keys=True) + "\n")
            out.flush()
            os.fsync(out.fileno())

    def rule_for(self, tenant: str, fingerprint: str) -> dict[str, Any] | None:
        """The dashboard's rule for this finding (a `fingerprint`-only rule), if any."""
        return next((r for r in self._read(tenant) if _is_dismissal(r, fingerprint)), None)

    def suppress(self, tenant: str, finding: Mapping[str, Any], reason: object,
                 expires_at: object, actor: Actor, now: datetime) -> dict[str, Any]:
        """Add (or replace) the finding's rule; returns the audit entry."""
        fingerprint = _fingerprint(finding)
        text = clean_reason(reason)
        expiry = parse_expiry(None if expires_at is None else str(expires_at), now)
        rule: dict[str, Any] = {"fingerprint": fingerprint, "reason": text, "author": actor.who,
                                "created_at": _iso(now)}
        if expiry is not None:
            rule["expires_at"] = _iso(expiry)
        entry = _entry("suppress", finding, actor, now, reason=text,
                       expires_at=rule.get("expires_at"))
        with self._locked(tenant):
            rules = self._read(tenant)
            kept = [r for r in rules if not _is_dismissal(r, fingerprint)]
            entry["replaced"] = len(kept) != len(rules)
            self._audit(tenant, entry)
            self._write(tenant, [*kept, rule])
        return entry

    def unsuppress(self, tenant: str, finding: Mapping[str, Any], reason: object,
                   actor: Actor, now: datetime) -> dict[str, Any]:
        """Remove the finding's dashboard rule; 409 when there is none (a rule written by hand,
        by tag or check say, is lifted by editing the file, not from one finding's page)."""
        fingerprint = _fingerprint(finding)
        note = " ".join(str(reason or "").split())[:MAX_REASON] or None
        with self._locked(tenant):
            rules = self._read(tenant)
            kept = [r for r in rules if not _is_dismissal(r, fingerprint)]
            if len(kept) == len(rules):
                raise DismissError("this finding has no suppression made from the dashboard; "
                                   f"a rule in {self._path(tenant, '.json')} may match it", 409)
            entry = _entry("unsuppress", finding, actor, now, reason=note)
            self._audit(tenant, entry)
            self._write(tenant, kept)
        return entry

    def history(self, tenant: str, fingerprint: str) -> list[dict[str, Any]]:
        """The audit entries of one finding, oldest first."""
        try:
            lines = self.audit_path(tenant).read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        out = []
        for line in lines:
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # a torn last line after a crash; the next append starts a new one
            if isinstance(entry, dict) and entry.get("fingerprint") == fingerprint:
                out.append(entry)
        return out


def _fingerprint(finding: Mapping[str, Any]) -> str:
    if finding.get("source_fingerprints"):
        raise DismissError("a correlated finding cannot be suppressed: suppress its sources")
    fingerprint = str(finding.get("fingerprint") or "")
    if not fingerprint:
        raise DismissError("the finding has no fingerprint")
    return fingerprint


def _is_dismissal(rule: object, fingerprint: str) -> bool:
    """A dashboard rule: it names this fingerprint and no other matcher."""
    if not isinstance(rule, dict) or rule.get("fingerprint") != fingerprint:
        return False
    return not any(rule.get(k) for k in ("check_id", "account_id", "region", "resource_id", "tag"))


def _entry(action: str, finding: Mapping[str, Any], actor: Actor, now: datetime,
           **extra: Any) -> dict[str, Any]:
    return {
        "at": _iso(now), "action": action, "who": actor.who, "via": actor.via,
        **{k: finding.get(k) for k in ("fingerprint", "finding_id", "check_id", "account_id",
                                       "region", "resource_id")},
        **extra,
    }
