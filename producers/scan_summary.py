"""The scan summary record: one per (account, region) per run, `schemas/scan.v1.avsc`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from checks.model import CollectionError


@dataclass(frozen=True)
class ScanSummary:
    tenant_id: str
    workspace: str
    account_id: str
    region: str
    run_id: str
    started_at: datetime
    finished_at: datetime
    check_counts: dict[str, int]
    resources_seen: dict[str, int]
    errors: list[CollectionError] = field(default_factory=list)
    checks_ran: int = 0

    @property
    def status(self) -> str:
        """ok: clean; partial: some data unreadable; failed: no check could run at all."""
        if not self.errors:
            return "ok"
        return "partial" if self.checks_ran else "failed"

    @property
    def duration_s(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()

    @property
    def findings(self) -> int:
        return sum(self.check_counts.values())

    def key(self) -> str:
        return f"{self.tenant_id}/{self.workspace}/{self.account_id}/{self.region}"

    def to_wire(self) -> dict[str, Any]:
        return {
            "tenant_id": self.tenant_id,
            "workspace": self.workspace,
            "account_id": self.account_id,
            "region": self.region,
            "run_id": self.run_id,
            "started_at": _micros(self.started_at),
            "finished_at": _micros(self.finished_at),
            "status": self.status,
            "check_counts": dict(sorted(self.check_counts.items())),
            "resources_seen": dict(sorted(self.resources_seen.items())),
            "errors": [e.as_dict() for e in self.errors],
            "duration_s": round(self.duration_s, 3),
            "schema_version": 1,
        }


def make_run_id(now: datetime, *scope: str) -> str:
    """`<utc-iso-minute>-<short hash>`: sorts by time, readable in logs, and distinct for two
    tenants or scopes scanning in the same minute."""
    minute = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
    digest = hashlib.sha256("/".join((now.astimezone(UTC).isoformat(), *scope)).encode())
    return f"{minute}-{digest.hexdigest()[:8]}"


def _micros(ts: datetime) -> int:
    return int(ts.astimezone(UTC).timestamp() * 1_000_000)
