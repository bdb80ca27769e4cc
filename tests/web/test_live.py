"""Live updates: the file watcher and the Kafka consumer both end in one SSE event per version."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from web.live import Announcer, Broadcaster, FileWatcher, KafkaWatcher, sse, stream
from web.sample import make_findings, write_set
from web.snapshots import SnapshotStore

WAIT = 20.0  # generous upper bound for an event to arrive; tests never measure latency


def _announcer(data_dir: Path) -> tuple[Announcer, Broadcaster]:
    broadcaster = Broadcaster()
    return Announcer(SnapshotStore(data_dir), broadcaster), broadcaster


def test_broadcaster_drops_oldest_for_slow_clients() -> None:
    b = Broadcaster(maxsize=2)
    q = b.subscribe("acme")
    for v in range(5):
        assert b.publish("acme", {"version": v}) == 1
    assert [q.get_nowait()["version"], q.get_nowait()["version"]] == [3, 4]
    b.unsubscribe("acme", q)
    assert b.publish("acme", {"version": 9}) == 0 and b.subscribers("acme") == 0


def test_announcer_publishes_once_per_version(data_dir: Path) -> None:
    announcer, broadcaster = _announcer(data_dir)
    q = broadcaster.subscribe("acme")
    write_set(data_dir, "acme", make_findings("acme", 3), version=1)
    assert announcer.poke("acme", "file")["version"] == 1
    assert announcer.poke("acme", "kafka") is None  # same version from the other source
    write_set(data_dir, "acme", make_findings("acme", 4), version=2)
    assert announcer.poke("acme", "kafka")["source"] == "kafka"
    assert [q.get_nowait()["version"] for _ in range(2)] == [1, 2] and q.empty()
    assert announcer.poke("../etc", "kafka") is None


def test_a_new_set_under_the_same_version_is_announced(data_dir: Path) -> None:
    """A suppression change rebuilds a set with the same version (input row count) and as-of
    time: the pages must hear of it, yet the same set seen twice is still one event."""
    announcer, broadcaster = _announcer(data_dir)
    q = broadcaster.subscribe("acme")
    rows = make_findings("acme", 4)
    write_set(data_dir, "acme", rows, version=7)
    assert announcer.poke("acme", "file")["version"] == 7
    rows[0] = {**rows[0], "suppressed": True, "counted": False, "count_state": "suppressed"}
    write_set(data_dir, "acme", rows, version=7)
    assert announcer.poke("acme", "file")["version"] == 7
    assert announcer.poke("acme", "kafka") is None
    assert [q.get_nowait()["version"] for _ in range(2)] == [7, 7] and q.empty()


def test_rejected_snapshot_is_an_error_event(data_dir: Path) -> None:
    announcer, broadcaster = _announcer(data_dir)
    q = broadcaster.subscribe("acme")
    write_set(data_dir, "acme", make_findings("acme", 3), version=1)
    announcer.poke("acme", "file")
    directory = write_set(data_dir, "acme", make_findings("acme", 3), version=2)
    (directory / "trend.json").write_text("nope")
    event = announcer.poke("acme", "file")
    assert event["type"] == "error" and event["version"] == 1 and "trend.json" in event["error"]
    assert q.get_nowait()["version"] == 1 and q.get_nowait()["type"] == "error"


def test_file_watcher_announces_new_sets(data_dir: Path) -> None:
    announcer, broadcaster = _announcer(data_dir)
    q = broadcaster.subscribe("globex")
    watcher = FileWatcher(announcer, interval=0.05)
    watcher.start()
    try:
        write_set(data_dir, "globex", make_findings("globex", 2), version=11)
        assert q.get(timeout=WAIT)["version"] == 11
        write_set(data_dir, "globex", make_findings("globex", 2), version=12)
        event = q.get(timeout=WAIT)
        assert event["version"] == 12 and event["source"] == "file"
    finally:
        watcher.stop()
        watcher.join(timeout=5)
    assert not watcher.is_alive()


def test_stream_frames_and_unsubscribes() -> None:
    b = Broadcaster()
    gen = stream(b, "acme", {"version": 1}, heartbeat=0.01)
    first = next(gen)
    assert first.startswith("retry: 2000\nevent: hello\ndata: ")
    assert next(gen) == ": heartbeat\n\n"
    b.publish("acme", {"type": "snapshot", "version": 2})
    frame = next(gen)
    assert frame.startswith("event: snapshot\n") and json.loads(frame.split("data: ")[1])[
        "version"] == 2
    assert b.subscribers("acme") == 1
    gen.close()
    assert b.subscribers("acme") == 0
    assert sse({"a": 1}, "x") == 'event: x\ndata: {"a": 1}\n\n'


def test_sse_endpoint_delivers_an_update(app_live: Any, seed: Callable[..., Any],
                                         acme: dict[str, str]) -> None:
    seed("acme", version=1)
    client = app_live.test_client()
    resp = client.get("/api/events", headers=acme, buffered=False)
    frames = iter(resp.response)

    def frame() -> str:
        chunk = next(frames)
        return chunk.decode() if isinstance(chunk, bytes) else chunk

    assert "event: hello" in frame()  # the client is subscribed from here on
    seed("acme", version=2)
    # Heartbeats (every 0.2 s) keep next() returning; bounded so a lost event fails the test.
    # The watcher may announce version 1 first (it started before the seed); wait for 2.
    versions = []
    for _ in range(int(WAIT / 0.2)):
        got = frame()
        if got.startswith("event: snapshot"):
            versions.append(json.loads(got.split("data: ", 1)[1])["version"])
            if versions[-1] == 2:
                break
    assert versions and versions[-1] == 2, f"no version 2 event; got {versions}"
    assert set(versions) <= {1, 2}
    resp.close()


@pytest.fixture
def app_live(data_dir: Path, tokens_file: Path) -> Any:
    from web.app import create_app, stop_watchers

    app = create_app({"DATA_DIR": data_dir, "TOKENS_FILE": tokens_file, "WATCH_INTERVAL": 0.05,
                      "HEARTBEAT_S": 0.2, "TESTING": True})
    yield app
    stop_watchers(app)


@pytest.mark.kafka
def test_kafka_announcement_reaches_subscribers(kafka_bootstrap: str, data_dir: Path,
                                                unique_topic: Callable[[str], str]) -> None:
    from confluent_kafka import Producer

    from schemas.topics import ensure_topics

    topic = unique_topic("finops.snapshots")
    ensure_topics(kafka_bootstrap, {topic: 1})
    announcer, broadcaster = _announcer(data_dir)
    q = broadcaster.subscribe("acme")
    watcher = KafkaWatcher(announcer, kafka_bootstrap, topic)
    watcher.start()
    try:
        assert watcher.ready.wait(60), "consumer got no partition assignment"
        write_set(data_dir, "acme", make_findings("acme", 2), version=21)
        producer = Producer({"bootstrap.servers": kafka_bootstrap})
        value = {"tenant_id": "acme", "dir": str(data_dir / "snapshots" / "acme"),
                 "version": 21, "as_of": "2026-11-20T10:00:00Z"}
        producer.produce(topic, key=b"acme", value=json.dumps(value).encode())
        producer.flush(30)
        event = q.get(timeout=60)
        assert event["version"] == 21 and event["source"] == "kafka"
    finally:
        watcher.stop()
        watcher.join(timeout=10)


def test_kafka_watcher_logs_each_error_kind_once_a_minute(data_dir: Path,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    class Err:
        def __init__(self, name: str, text: str) -> None:
            self._name, self._text = name, text

        def name(self) -> str:
            return self._name

        def __str__(self) -> str:
            return self._text

    announcer, _ = _announcer(data_dir)
    watcher = KafkaWatcher(announcer, "127.0.0.1:1", "t")
    for ms in range(5):
        watcher._warn(Err("_TRANSPORT", f"connect failed after {ms}ms"))
    watcher._warn(Err("_ALL_BROKERS_DOWN", "1/1 brokers are down"))
    logged = [r for r in caplog.records if "consumer error" in r.getMessage()]
    assert [r.error for r in logged] == ["connect failed after 0ms", "1/1 brokers are down"]


def test_announcer_warms_page_data_before_telling_pages(data_dir: Path) -> None:
    from web import views

    announcer, broadcaster = _announcer(data_dir)
    broadcaster.subscribe("acme")
    write_set(data_dir, "acme", make_findings("acme", 12), version=1)
    announcer.poke("acme", "file")
    snap = announcer.store.view("acme").snapshot
    assert {"overview", "facets", "coverage", "order:-estimated_monthly_savings"} <= set(snap.memo)
    assert snap.memo["overview"] == views.overview(snap)


def test_close_ends_open_streams_and_refuses_new_ones() -> None:
    b = Broadcaster(maxsize=1)
    gen = stream(b, "acme", {"version": 1}, heartbeat=5)
    assert "hello" in next(gen)
    b.publish("acme", {"type": "snapshot", "version": 2})  # fills the queue: close must fit
    b.close()
    assert list(gen) == [] and b.subscribers("acme") == 0
    assert list(stream(b, "acme", {"version": 1})) == []


def test_tenants_nobody_watches_are_not_loaded(data_dir: Path) -> None:
    announcer, broadcaster = _announcer(data_dir)
    write_set(data_dir, "globex", make_findings("globex", 3), version=1)
    assert announcer.poke("globex", "file") is None
    assert announcer.store._states == {}  # nothing read from disk
    q = broadcaster.subscribe("globex")
    assert announcer.poke("globex", "kafka")["version"] == 1 and q.get_nowait()["version"] == 1
