"""The typed record producers build: what a check says about one resource.

Checks return `Finding`s; `to_wire()` gives the dict the Avro wire schema encodes. Identity
(fingerprint, finding_id) is computed here with the same functions the stream processor uses to
verify it, so producer and stream can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from contracts.schema import SCHEMA_VERSION


@dataclass(frozen=True, slots=True)
class Finding:
    tenant_id: str
    account_id: str
    region: str
    service: str
    check_id: str
    resource_type: str
    resource_id: str
    title: str
    observed_at: datetime
    workspace: str = "default"
    resource_name: str | None = None
    scope: str = ""
    severity: str = "medium"
    status: str = "open"
    estimated_monthly_savings: Decimal | float | None = None
    currency: str = "USD"
    savings_formula: str | None = None
    confidence: float = 0.8
    alternative_group: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    source_fingerprints: tuple[str, ...] = ()
    run_id: str = ""
    id_mode: str = "stable"

    def to_wire(self) -> dict[str, Any]:
        """The Avro wire record, with identity computed from the canonical form."""
        from contracts.canonical import canonical_details, canonicalize_record
        from contracts.identity import finding_id, fingerprint

        savings = self.estimated_monthly_savings
        rec: dict[str, Any] = {
            "tenant_id": self.tenant_id,
            "workspace": self.workspace,
            "account_id": self.account_id,
            "region": self.region,
            "service": self.service,
            "check_id": self.check_id,
            "resource_type": self.resource_type,
            "resource_id": self.resource_id,
            "resource_name": self.resource_name,
            "scope": self.scope,
            "title": self.title,
            "severity": self.severity,
            "status": self.status,
            "estimated_monthly_savings": None if savings is None else str(savings),
            "currency": self.currency,
            "savings_formula": self.savings_formula,
            "confidence": float(self.confidence),
            "alternative_group": self.alternative_group,
            "tags": {str(k): str(v) for k, v in self.tags.items()},
            "details": canonical_details(self.details),
            "source_fingerprints": sorted(self.source_fingerprints),
            "observed_at": _micros(self.observed_at),
            "run_id": self.run_id,
            "fingerprint": None,
            "finding_id": None,
            "id_mode": self.id_mode,
            "schema_version": SCHEMA_VERSION,
        }
        canon = canonicalize_record(rec)
        rec["fingerprint"] = fingerprint(canon)
        rec["finding_id"] = finding_id(rec["fingerprint"], self.id_mode, self.run_id, canon["observed_at"])
        return rec


def _micros(ts: datetime) -> int:
    if ts.tzinfo is None:
        raise ValueError("observed_at must be timezone-aware (UTC)")
    from contracts.canonical import exact_micros

    return exact_micros(ts)
