"""The demo console's progress lines: what a step produced, in words, one line each.

The demo used to print the CUR commands' JSON reports and a cut-off dump of the first overview;
these turn the same documents into short sentences with the figures a FinOps user looks at
(counted findings, estimated savings, what the total leaves out, billing coverage).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any


def money(value: object, currency: str = "USD") -> str:
    """`$1,234.56` (USD) or `1,234.56 EUR`; "unknown" when there is no amount."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return "unknown"
    text = f"{amount.quantize(Decimal('0.01')):,}"
    return f"${text}" if currency == "USD" else f"{text} {currency}"


def _when(iso: object) -> str:
    try:
        ts = datetime.fromisoformat(str(iso).replace("Z", "+00:00"))
    except ValueError:
        return str(iso)
    return ts.strftime("%Y-%m-%d %H:%M UTC")


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def snapshot_line(doc: Mapping[str, Any]) -> str:
    """One line for an `/api/overview` answer (`{"meta": …, "data": …}`)."""
    meta, data = doc.get("meta") or {}, doc.get("data") or {}
    if not meta.get("has_snapshot"):
        return "no snapshot yet"
    head = f"snapshot v{meta.get('version')} (data as of {_when(meta.get('as_of'))})"
    if data.get("empty"):
        return f"{head}: no findings"
    currency = str(data.get("currency") or "USD")
    parts = [f"{_plural(int(data.get('findings_open') or 0), 'finding')} counted, "
             f"{money(data.get('estimated_monthly_savings'), currency)}/month estimated savings"]
    unpriced = (data.get("unpriced_findings") or {}).get("count") or 0
    bounds = (data.get("lower_bound") or {}).get("count") or 0
    if unpriced:
        parts.append(f"{unpriced:,} unpriced left out")
    if bounds:
        parts.append(f"{bounds:,} counted as a lower bound")
    status = data.get("by_status") or {}
    apart = [f"{status[s]:,} {s}" for s in ("superseded", "suppressed", "resolved")
             if status.get(s)]
    if apart:
        parts.append("not counted: " + ", ".join(apart))
    if data.get("has_cur"):
        covered = data.get("actual_cost_30d_covered")
        parts.append(f"bill: {money(covered, currency)} over 30 days on "
                     f"{_plural(int(data.get('findings_with_actual_cost') or 0), 'resource')}"
                     if covered is not None else "bill: no resource costs attributed")
    else:
        parts.append("no billing data")
    return f"{head}: " + "; ".join(parts)


def _documents(text: str) -> tuple[list[Any], str]:
    """The JSON documents printed one after another in `text`, and any text that is not JSON."""
    decoder, docs, rest, i = json.JSONDecoder(), [], [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        try:
            doc, i = decoder.raw_decode(text, i)
            docs.append(doc)
        except ValueError:
            end = text.find("\n", i)
            end = len(text) if end < 0 else end
            rest.append(text[i:end])
            i = end
    return docs, "\n".join(rest)


def report_lines(text: str) -> list[str]:
    """Lines for what the bill commands printed (`finops estate bill`, `finops cur map-sample`,
    `finops cur normalize`: one JSON report each), in the order printed."""
    docs, rest = _documents(text)
    lines = [line for line in rest.splitlines() if line.strip()]
    for doc in docs:
        if not isinstance(doc, Mapping):
            continue
        if "unblended" in doc and "lines" in doc:
            lines.append(f"bill written: {int(doc['lines']):,} hourly lines, {_day(doc.get('start'))}"
                         f" to {_day(doc.get('until'))}, {money(doc['unblended'])} unblended"
                         f" ({money(doc.get('amortized'))} amortized)")
        elif "months_written" in doc:
            lines.append(_normalized(doc))
        elif "accounts" in doc:
            accounts = [str(a) for a in doc.get("accounts") or []]
            lines.append(f"bill mapped onto the estate's {_plural(len(accounts), 'account')}: "
                         + ", ".join(accounts))
    return lines


def _day(iso: object) -> str:
    return str(iso or "?")[:10]


def _normalized(norm: Mapping[str, Any]) -> str:
    rows = int(norm.get("rows") or 0)
    months = [str(m).split("/", 1)[-1] for m in (norm.get("months_written") or [])]
    same = [str(m).split("/", 1)[-1] for m in (norm.get("months_unchanged") or [])]
    kinds = sorted({str(v) for v in (norm.get("variants") or {}).values()})
    text = f"{rows:,} bill lines normalized ({', '.join(kinds) or 'no files'})"
    if months:
        text += f", month(s) {', '.join(months)} written"
    if same:
        text += f", {', '.join(same)} unchanged"
    problems = norm.get("problems") or []
    if problems:
        text += f"; {_plural(len(problems), 'problem')}: " + "; ".join(
            ", ".join(f"{k} {v}" for k, v in sorted(p.items())) if isinstance(p, Mapping)
            else str(p) for p in problems)
    return text
