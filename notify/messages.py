"""Webhook bodies for a batch of lifecycle events: Slack-compatible or generic JSON.

Idempotency: every event carries its `event_id` (stable across replays, see
jobs/lifecycle_events.py); a message's key is sha256 over its sorted event ids, sent as the
`Idempotency-Key` header on every attempt, and in the generic body. A receiver that remembers
keys (or event ids) drops a repeat.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any


def idempotency_key(events: list[dict[str, Any]]) -> str:
    return hashlib.sha256("\n".join(sorted(e["event_id"] for e in events)).encode()).hexdigest()


def _jsonable(event: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in sorted(event.items())}


def _line(e: dict[str, Any]) -> str:
    money = e.get("estimated_monthly_savings")
    figure = f" · {money} {e['currency']}/month" if money is not None else ""
    if e.get("realized_monthly_savings") is not None:
        figure += f" · realized {e['realized_monthly_savings']} {e['currency']}/month"
    return (f"*{e['kind']}* `{e['check_id']}` {e['resource_id']} "
            f"({e['tenant_id']} / {e['account_id']} / {e['region']}, {e['severity']}){figure}")


def slack_body(rule: str, events: list[dict[str, Any]]) -> dict[str, Any]:
    head = (f"finops: {len(events)} finding change{'s' if len(events) != 1 else ''} "
            f"(rule {rule})")
    lines = [_line(e) for e in events]
    return {"text": "\n".join([head, *lines]),
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": head}},
                       *({"type": "section", "text": {"type": "mrkdwn", "text": line}}
                         for line in lines[:48])]}  # Slack allows 50 blocks a message


def json_body(rule: str, events: list[dict[str, Any]]) -> dict[str, Any]:
    return {"idempotency_key": idempotency_key(events), "rule": rule, "count": len(events),
            "events": [_jsonable(e) for e in events]}


def body(fmt: str, rule: str, events: list[dict[str, Any]]) -> bytes:
    doc = slack_body(rule, events) if fmt == "slack" else json_body(rule, events)
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
