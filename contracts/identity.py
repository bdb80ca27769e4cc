"""Deterministic identity.

`fingerprint` is the logical identity of an issue (same check, same scope, same resource), so
re-scans of an unchanged estate produce the same keys, land on the same Kafka partition, and
deduplicate downstream. It never includes times or amounts. `finding_id` is the storage identity,
derived from the fingerprint and the id mode.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from contracts.schema import IDENTITY_FIELDS

_SEP = "\x1f"  # unit separator: cannot occur in the canonical values
_FP_DOMAIN = "finops.finding.v1"


def identity_tuple(rec: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(str(rec.get(name) or "") for name in IDENTITY_FIELDS)


def fingerprint(rec: Mapping[str, Any]) -> str:
    """sha256 over the canonical identity (and, for correlated findings, their sorted sources)."""
    parts = [_FP_DOMAIN, *identity_tuple(rec)]
    sources: Sequence[str] = rec.get("source_fingerprints") or ()
    if sources:
        parts.append(",".join(sorted(sources)))
    return hashlib.sha256(_SEP.join(parts).encode("utf-8")).hexdigest()


def finding_id(fp: str, mode: str, run_id: str = "", observed_at_us: Any = None) -> str:
    if mode == "stable":
        return fp
    if mode == "per-run":
        salt = run_id
    elif mode == "per-day":
        if not isinstance(observed_at_us, int):
            raise ValueError("per-day finding ids need observed_at")
        salt = utc_day(observed_at_us)
    else:
        raise ValueError(f"unknown id mode {mode!r}")
    return hashlib.sha256(f"{fp}{_SEP}{mode}{_SEP}{salt}".encode()).hexdigest()


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def utc_day(observed_at_us: int) -> str:
    """UTC calendar day of an epoch-microsecond time (integer arithmetic: no float rounding)."""
    return (_EPOCH + timedelta(microseconds=observed_at_us)).strftime("%Y-%m-%d")
