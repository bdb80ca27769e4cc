"""`finops notify` on the real broker against a local HTTP receiver: a receiver that fails twice
(a 500, then a timeout) and recovers gets every matching event exactly once; a restart sends
nothing again (offsets were committed after delivery); an endpoint that refuses (400) sends the
events to the dead-letter topic. Which event matches which rule is written out by hand below."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from finops.cli import main
from notify.rules import RuleError, parse
from producers.publisher import FindingPublisher
from schemas.registry import latest
from schemas.topics import ensure_topics
from schemas.wire import encode
from tools.topic_reader import read_topic

T = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def _event(n: int, kind: str, *, tenant: str = "acme", check: str = "ec2_eip_unassociated",
           severity: str = "low", savings: str | None = "3.65") -> dict[str, Any]:
    fp = f"{n:064x}"
    return {"event_id": f"ev{n:03d}", "kind": kind, "event_time": T, "previous_state": None,
            "fingerprint": fp, "finding_id": fp, "tenant_id": tenant, "workspace": "prod",
            "account_id": "123456789012", "region": "us-east-1", "service": "ec2",
            "check_id": check, "resource_type": "AWS::EC2::EIP", "resource_id": f"eipalloc-{n}",
            "title": "t", "severity": severity, "lifecycle_state": "new", "suppressed": False,
            "suppression_reason": None, "estimated_monthly_savings": savings, "currency": "USD",
            "as_of": T}


EVENTS = [
    _event(1, "new", savings="12.00"),                        # ops (json) + big (slack)
    _event(2, "new", savings="4.00"),                         # ops only: under 10 for big
    _event(3, "resolved", savings="50.00"),                   # ops + big
    _event(4, "suppressed", savings="50.00"),                 # kind not in ops; big
    _event(5, "new", tenant="globex", savings="99.00"),       # other tenant: none
    _event(6, "new", savings=None),                           # ops; big needs a figure
    _event(7, "reopened", check="rds_instance_idle", savings="20.00", severity="high"),  # ops, big
]
EXPECTED = {"/ops": {"ev001", "ev002", "ev003", "ev006", "ev007"},
            "/big": {"ev001", "ev003", "ev004", "ev007"}}


class Receiver:
    """Records every request; `script` holds the answers to give first (500, 'hang', 400...)."""

    def __init__(self, script: dict[str, list[Any]], hang_s: float = 1.5) -> None:
        self.script = script
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                data = self.rfile.read(int(self.headers["Content-Length"]))
                with outer.lock:
                    todo = outer.script.get(self.path, [])
                    answer = todo.pop(0) if todo else 200
                if answer == "hang":
                    time.sleep(hang_s)  # longer than the client's timeout
                    answer = 200  # too late: the client gave up on this attempt
                    status_seen = "timeout"
                else:
                    status_seen = answer
                with outer.lock:
                    outer.requests.append({"path": self.path, "status": status_seen,
                                           "key": self.headers["Idempotency-Key"],
                                           "body": json.loads(data)})
                try:
                    self.send_response(answer)
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def accepted(self, path: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"] == path and r["status"] == 200]

    def close(self) -> None:
        self.server.shutdown()


def _ids(req: dict[str, Any]) -> list[str]:
    return [e["event_id"] for e in req["body"]["events"]]  # generic JSON body


def _slack_resources(req: dict[str, Any]) -> list[str]:
    return [line.split("` ")[1].split(" ")[0] for line in req["body"]["text"].splitlines()[1:]]


def _setup(kafka_bootstrap: str, tmp_path: Path, rules: list[dict[str, Any]]
           ) -> tuple[str, str, Path]:
    tag = uuid.uuid4().hex[:10]
    events, dlq = f"nt.{tag}.events", f"nt.{tag}.dlq"
    ensure_topics(kafka_bootstrap, {events: 3, dlq: 1})
    schema = latest("finding_event")
    with FindingPublisher(kafka_bootstrap, topic=events) as pub:
        for e in EVENTS:
            pub.publish_raw(events, e["fingerprint"], encode(e, schema))
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"rules": rules}))
    return events, dlq, path


def _notify(kafka_bootstrap: str, events: str, dlq: str, rules: Path, group: str) -> int:
    return main(["notify", "--rules", str(rules), "--bootstrap", kafka_bootstrap,
                 "--events-topic", events, "--dlq-topic", dlq, "--group", group,
                 "--max-idle", "3", "--retry-base", "0.05", "--timeout", "0.5"])


@pytest.mark.kafka
def test_receiver_failing_twice_gets_everything_once(kafka_bootstrap: str, tmp_path: Path) -> None:
    rx = Receiver({"/ops": [500, "hang"], "/big": [503]})
    try:
        rules = [
            {"name": "ops", "webhook": {"url": f"{rx.url}/ops", "format": "json"},
             "tenants": ["acme"], "kinds": ["new", "resolved", "reopened"],
             "digest": {"max_events": 2, "interval": "500ms"}},
            {"name": "big", "webhook": {"url": f"{rx.url}/big", "format": "slack"},
             "tenants": ["acme"], "min_monthly_savings": 10},
        ]
        events, dlq, path = _setup(kafka_bootstrap, tmp_path, rules)
        group = f"notify-{uuid.uuid4().hex[:8]}"
        assert _notify(kafka_bootstrap, events, dlq, path, group) == 0
        first = len(rx.requests)
        assert _notify(kafka_bootstrap, events, dlq, path, group) == 0  # restart: all committed
        assert len(rx.requests) == first
    finally:
        rx.close()

    ops = rx.accepted("/ops")
    got = Counter(i for r in ops for i in _ids(r))
    assert got == Counter(EXPECTED["/ops"])  # every event once, nothing else
    assert all(len(r["body"]["events"]) <= 2 for r in ops)  # digests of at most 2
    keys = [r["key"] for r in ops]
    assert len(set(keys)) == len(keys) and all(r["body"]["idempotency_key"] == r["key"] for r in ops)
    failed = [r for r in rx.requests if r["path"] == "/ops" and r["status"] != 200]
    assert [r["status"] for r in failed] == [500, "timeout"]
    assert {r["key"] for r in failed} <= set(keys)  # retries re-sent the same message

    big = rx.accepted("/big")
    resources = Counter(x for r in big for x in _slack_resources(r))
    by_id = {e["event_id"]: e["resource_id"] for e in EVENTS}
    assert resources == Counter(by_id[i] for i in EXPECTED["/big"])
    assert len(big) == len(EXPECTED["/big"])  # no digest: one message per event
    assert [r["status"] for r in rx.requests if r["path"] == "/big" and r["status"] != 200] == [503]
    assert all("blocks" in r["body"] for r in big)


@pytest.mark.kafka
def test_refused_messages_go_to_the_dead_letter_topic(kafka_bootstrap: str, tmp_path: Path) -> None:
    rx = Receiver({"/gone": [400] * 20})
    try:
        rules = [{"name": "gone", "webhook": {"url": f"{rx.url}/gone"}, "kinds": ["resolved",
                                                                                 "suppressed"]}]
        events, dlq, path = _setup(kafka_bootstrap, tmp_path, rules)
        group = f"notify-{uuid.uuid4().hex[:8]}"
        assert _notify(kafka_bootstrap, events, dlq, path, group) == 0
        assert _notify(kafka_bootstrap, events, dlq, path, group) == 0
    finally:
        rx.close()
    assert [r["status"] for r in rx.requests] == [400, 400]  # final at once; not re-sent later
    letters = read_topic(kafka_bootstrap, dlq)
    assert sorted(letter.value for letter in letters) == sorted(
        encode(e, latest("finding_event")) for e in EVENTS if e["kind"] in ("resolved",
                                                                           "suppressed"))
    assert {letter.headers["notify.status"] for letter in letters} == {b"400"}
    assert {letter.headers["notify.rule"] for letter in letters} == {b"gone"}


def test_rule_files_are_checked() -> None:
    ok = parse({"rules": [{"webhook": {"url": "https://h/x"}, "digest": {"max_events": 5}}]})
    assert ok[0].max_events == 5 and ok[0].interval_s == 60.0
    for bad in ({"rules": []}, {"rules": [{"webhook": {"url": "ftp://x"}}]},
                {"rules": [{"webhook": {"url": "http://x"}, "kinds": ["gone"]}]},
                {"rules": [{"webhook": {"url": "http://x"}, "min_monthly_savings": "lots"}]},
                {"rules": [{"webhook": {"url": "http://x"}, "digest": {"interval": "soon"}}]},
                {"rules": [{"webhook": {"url": "http://x"}, "tenant": ["typo"]}]}):
        with pytest.raises(RuleError):
            parse(bad)


def test_notifier_metrics_read_its_counters() -> None:
    from prometheus_client import generate_latest
    from prometheus_client.parser import text_string_to_metric_families

    from notify.metrics import watch
    from notify.notifier import NotifyStats

    stats = NotifyStats(consumed=7, matched=5, messages_sent=3, events_sent=5, dead_lettered=2)
    watch(stats)
    stats.consumed += 1  # read at scrape time, not copied at registration
    samples = {s.name: s.value for f in text_string_to_metric_families(generate_latest().decode())
               for s in f.samples if s.name.startswith("finops_notify_")}
    assert samples["finops_notify_consumed_total"] == 8
    assert samples["finops_notify_dead_lettered_total"] == 2
    assert samples["finops_notify_events_sent_total"] == 5
