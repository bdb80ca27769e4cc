"""Canonical form of a wire finding: one spelling for every value that means the same thing.

Canonicalization never fails: it normalizes what it can and leaves the rest for
`contracts.validate`, which reports every problem with its field name. Identifiers are folded in
ASCII only and free text keeps its control characters, so validation rejects what is not exact
(`contracts.text`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from contracts.arn import canonical_arn, canonical_resource_type
from contracts.text import ascii_lower, ascii_upper, id_text, trim_text

CENT = Decimal("0.01")

SEVERITY_ALIASES = {
    "informational": "info",
    "information": "info",
    "moderate": "medium",
    "med": "medium",
    "crit": "critical",
}

_LOWER_FIELDS = ("tenant_id", "workspace", "region", "service", "check_id", "severity", "status", "id_mode")
_TRIM_FIELDS = ("resource_name", "title", "savings_formula", "alternative_group", "run_id", "scope")


def canonical_details(details: Mapping[str, Any] | None) -> dict[str, str]:
    """Wire `details` is a string map; non-string values are carried as compact JSON."""
    out: dict[str, str] = {}
    for key in sorted(details or {}):
        value = (details or {})[key]
        out[str(key)] = value if isinstance(value, str) else json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return out


def details_json(details: Mapping[str, str]) -> str:
    return json.dumps(dict(details), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def money(value: Any) -> Decimal | None | str:
    """Round to cents (banker's rounding); returns the raw value back as str when unparseable,
    so validation can name it."""
    if value is None or value == "":
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, str) and not value.isascii():
        return value  # Decimal() would read Arabic-Indic or full-width digits: not an amount here
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        return str(value)
    if not amount.is_finite():
        return str(value)
    try:
        return amount.quantize(CENT, rounding=ROUND_HALF_EVEN)
    except InvalidOperation:  # more digits than the context holds (e.g. 1e30): not a real amount
        return str(value)


def micros(value: Any) -> int | str | None:
    """Epoch microseconds (UTC) from epoch micros or ISO-8601; raw text back when unparseable."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.isoformat()
        return exact_micros(value)
    text = str(value).strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    if parsed.tzinfo is None:
        return text  # a naive time is ambiguous: validation rejects it
    return exact_micros(parsed)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)


def exact_micros(value: datetime) -> int:
    """Epoch microseconds of an aware datetime, exactly (`timestamp() * 1e6` goes through a float
    and lands 1 us low for about 1% of times)."""
    return (value - _EPOCH) // _ONE_US


def canonicalize_record(rec: Mapping[str, Any]) -> dict[str, Any]:
    """A new dict in canonical form; fields keep their wire names."""
    out = dict(rec)
    for name in _LOWER_FIELDS:
        value = out.get(name)
        if isinstance(value, str):
            out[name] = ascii_lower(id_text(value))
    for name in _TRIM_FIELDS:
        value = out.get(name)
        if isinstance(value, str):
            out[name] = trim_text(value)
    if out.get("resource_name") == "":
        out["resource_name"] = None
    if out.get("alternative_group") == "":
        out["alternative_group"] = None
    sev = out.get("severity")
    if isinstance(sev, str):
        out["severity"] = SEVERITY_ALIASES.get(sev, sev)
    account = out.get("account_id")
    if isinstance(account, str):
        out["account_id"] = id_text(account).replace("-", "")
    currency = out.get("currency")
    out["currency"] = ascii_upper(id_text(currency)) if isinstance(currency, str) and id_text(currency) else "USD"
    rtype = out.get("resource_type")
    if isinstance(rtype, str):
        out["resource_type"] = canonical_resource_type(rtype)
    rid = out.get("resource_id")
    if isinstance(rid, str) and isinstance(out.get("resource_type"), str):
        out["resource_id"] = canonical_arn(
            out["resource_type"], rid, str(out.get("account_id") or ""), str(out.get("region") or "")
        )
    tags = out.get("tags") or {}
    if isinstance(tags, Mapping):
        out["tags"] = {trim_text(str(k)): trim_text(str(v)) for k, v in sorted(tags.items(), key=lambda kv: trim_text(str(kv[0])))}
    details = out.get("details") or {}
    if isinstance(details, Mapping):
        out["details"] = canonical_details(details)
    fps = out.get("source_fingerprints") or []
    if isinstance(fps, list | tuple):
        out["source_fingerprints"] = sorted({str(f).strip().lower() for f in fps})
    out["estimated_monthly_savings"] = money(out.get("estimated_monthly_savings"))
    conf = out.get("confidence")
    out["confidence"] = 0.5 if conf is None else conf
    out["observed_at"] = micros(out.get("observed_at"))
    return out
