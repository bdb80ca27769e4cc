"""docs/consumers.md's reader, the exact code block, run as a separate process against the real
broker on one topic of each kind: Avro findings, transactional events and compacted states (the
jobs' own publisher, so commit markers sit between the records), and values that are not Avro
(a dead letter, a JSON announcement), which it must report instead of decoding."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from contracts.finding import Finding
from producers.publisher import FindingPublisher
from schemas.registry import SCHEMA_DIR, latest
from schemas.topics import ensure_topics
from schemas.wire import encode
from sinks.lifecycle_topics import LifecyclePublisher

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "consumers.md"
T = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def reader_code() -> str:
    text = GUIDE.read_text()
    section = text[text.index("## A complete reader"):]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "docs/consumers.md: the reader's code block is missing"
    return match.group(1)


def test_the_reader_is_about_thirty_lines_and_uses_only_the_named_libraries() -> None:
    code = reader_code()
    assert len(code.strip().splitlines()) <= 40
    imports = {m.split(".")[0] for m in re.findall(r"^(?:from|import) ([\w.]+)", code, re.M)}
    assert imports <= {"io", "json", "sys", "pathlib", "confluent_kafka", "fastavro"}


def _run_reader(tmp_path: Path, bootstrap: str, topic: str) -> list[dict]:
    script = tmp_path / "reader.py"
    script.write_text(reader_code())
    proc = subprocess.run([sys.executable, str(script), bootstrap, topic, str(SCHEMA_DIR),
                           "--to-end"], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return [json.loads(line) for line in proc.stdout.splitlines()]


def _event(n: int, kind: str) -> dict:
    fp = f"{n:064x}"
    return {"event_id": f"ev{n}", "kind": kind, "event_time": T, "previous_state": None,
            "fingerprint": fp, "finding_id": fp, "tenant_id": "acme", "workspace": "prod",
            "account_id": "123456789012", "region": "us-east-1", "service": "ec2",
            "check_id": "ec2_eip_unassociated", "resource_type": "AWS::EC2::EIP",
            "resource_id": f"eipalloc-{n}", "title": "t", "severity": "low",
            "lifecycle_state": "new", "suppressed": False, "suppression_reason": None,
            "estimated_monthly_savings": "3.65", "currency": "USD", "as_of": T}


def _state(event: dict) -> dict:
    doc = json.loads((SCHEMA_DIR / "finding_state.v1.avsc").read_text())
    keep = {f["name"] for f in doc["fields"]}
    return {**{k: v for k, v in event.items() if k in keep}, "first_seen": T, "last_seen": T,
            "resolved_at": None}


@pytest.mark.kafka
def test_the_guides_reader_decodes_every_kind_of_topic(kafka_bootstrap: str, tmp_path: Path) -> None:
    tag = uuid.uuid4().hex[:10]
    findings, events, state, dlq, notes = (f"cg.{tag}.{n}" for n in
                                           ("findings", "events", "state", "dlq", "notes"))
    ensure_topics(kafka_bootstrap, {findings: 3, events: 3, state: 3, dlq: 1, notes: 1},
                  compacted=frozenset({state}))
    finding = Finding(tenant_id="acme", account_id="123456789012", region="us-east-1",
                      service="ec2", check_id="ec2_eip_unassociated",
                      resource_type="AWS::EC2::EIP", resource_id="eipalloc-1", title="Unused EIP",
                      observed_at=T, run_id="r1", estimated_monthly_savings=Decimal("3.65"),
                      savings_formula="price list").to_wire()
    with FindingPublisher(kafka_bootstrap, topic=findings) as pub:
        pub.publish_raw(findings, "fp-1", encode(finding, latest("finding")))
        pub.publish_raw(dlq, "raw:0:7", b"\x00not avro at all")
        pub.publish_raw(notes, "acme", b'{"tenant_id":"acme","version":3}\n')
    lifecycle = LifecyclePublisher(kafka_bootstrap, events_topic=events, state_topic=state,
                                   transactional_id=f"cg-{tag}")
    evs = [_event(1, "new"), _event(2, "new"), _event(1, "resolved")]
    lifecycle.publish(evs[:2], [_state(e) for e in evs[:2]])
    lifecycle.publish(evs[2:], [_state(evs[2])])
    lifecycle.close()

    (got,) = _run_reader(tmp_path, kafka_bootstrap, findings)
    assert got["key"] == "fp-1" and got["record"]["resource_id"] == "eipalloc-1"
    assert got["record"]["estimated_monthly_savings"] == "3.65"

    got_events = _run_reader(tmp_path, kafka_bootstrap, events)
    assert sorted((r["record"]["event_id"], r["record"]["kind"]) for r in got_events) == [
        ("ev1", "new"), ("ev1", "resolved"), ("ev2", "new")]
    first, second = (r for r in got_events if r["key"] == f"{1:064x}")
    assert (first["record"]["kind"], second["record"]["kind"]) == ("new", "resolved")  # in order

    got_states = _run_reader(tmp_path, kafka_bootstrap, state)
    assert {r["key"] for r in got_states} == {f"{1:064x}", f"{2:064x}"}
    assert all(r["record"]["tenant_id"] == "acme" for r in got_states)

    (letter,) = _run_reader(tmp_path, kafka_bootstrap, dlq)
    assert letter["record"] is None and letter["bytes"] == 16 and letter["key"] == "raw:0:7"
    (note,) = _run_reader(tmp_path, kafka_bootstrap, notes)
    assert note["record"] is None and note["key"] == "acme"
