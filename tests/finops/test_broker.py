"""The project's local broker: fetched jars, a real JVM, real produce/consume, clean stop."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, ConfigResource

from common.settings import bootstrap_servers
from finops import broker as broker_mod
from finops.broker import (
    BrokerError,
    LocalBroker,
    cluster_id,
    exited,
    fetch,
    free_ports,
    port_free,
    recorded_controller_port,
    server_properties,
)
from schemas.topics import ensure_topics


@pytest.fixture(scope="module")
def running() -> Iterator[LocalBroker]:
    """One broker for the read-only tests of this module (a JVM start costs seconds)."""
    fetch()
    port, controller_port = free_ports(2)
    data_dir = Path(tempfile.mkdtemp(prefix="finops-test-broker-"))
    broker = LocalBroker(port, controller_port, data_dir)
    broker.start(wait=120)
    yield broker
    broker.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


def _roundtrip(bootstrap: str, topic: str) -> tuple[bytes, bytes]:
    ensure_topics(bootstrap, {topic: 3})
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all"})
    producer.produce(topic, key=b"fp-1", value=b"hello")
    assert producer.flush(30) == 0, "message not delivered within 30 s"
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"test-{uuid.uuid4().hex}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    consumer.subscribe([topic])
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            msg = consumer.poll(1.0)
            if msg is None:
                continue
            assert msg.error() is None, msg.error()
            return msg.key(), msg.value()
    finally:
        consumer.close()
    raise AssertionError(f"no message consumed from {topic} within 60 s")


@pytest.mark.kafka
def test_produce_and_consume_one_message(
    running: LocalBroker, unique_topic: Callable[[str], str]
) -> None:
    assert _roundtrip(running.bootstrap, unique_topic("roundtrip")) == (b"fp-1", b"hello")


@pytest.mark.kafka
def test_session_fixture_gives_a_working_broker(
    kafka_bootstrap: str, unique_topic: Callable[[str], str]
) -> None:
    assert _roundtrip(kafka_bootstrap, unique_topic("fixture")) == (b"fp-1", b"hello")
    # Code that resolves the broker itself lands on the same one during the session.
    assert bootstrap_servers() == kafka_bootstrap


def test_unique_topic_names_differ_and_are_legal(unique_topic: Callable[[str], str]) -> None:
    names = {unique_topic("raw") for _ in range(100)}
    assert len(names) == 100
    for name in names:
        assert name.startswith("raw.") and len(name) < 249
        assert all(ch.isalnum() or ch in "._-" for ch in name)


@pytest.mark.kafka
def test_status_reports_pid_port_and_log(running: LocalBroker) -> None:
    status = running.status()
    assert status.running and status.reachable
    assert psutil.Process(status.pid).is_running()
    assert status.bootstrap == f"127.0.0.1:{running.port}"
    assert status.log_path == running.data_dir / "broker.log"
    assert "Kafka Server started" in status.log_path.read_text()
    assert recorded_controller_port(running.data_dir) == running.controller_port


@pytest.mark.kafka
def test_start_is_idempotent(running: LocalBroker) -> None:
    pid = running.status().pid
    again = LocalBroker(running.port, running.controller_port, running.data_dir).start(wait=30)
    assert again.pid == pid and again.reachable


@pytest.mark.kafka
def test_concurrent_starts_make_one_broker(broker_dir: Path) -> None:
    fetch()
    port, controller_port = free_ports(2)
    brokers = [LocalBroker(port, controller_port, broker_dir) for _ in range(2)]
    with ThreadPoolExecutor(2) as pool:
        statuses = list(pool.map(lambda b: b.start(wait=120), brokers))
    try:
        assert statuses[0].pid == statuses[1].pid is not None
        java = [
            p
            for p in psutil.process_iter(["cmdline"])
            if str(broker_dir) in " ".join(p.info["cmdline"] or [])
            and "kafka.Kafka" in (p.info["cmdline"] or [])
        ]
        assert len(java) == 1
    finally:
        brokers[0].stop()
    assert not brokers[1].status().running


@pytest.mark.kafka
def test_broker_refuses_auto_created_topics(running: LocalBroker) -> None:
    admin = AdminClient({"bootstrap.servers": running.bootstrap})
    resource = ConfigResource(ConfigResource.Type.BROKER, "1")
    configs = admin.describe_configs([resource])[resource].result(timeout=30)
    assert configs["auto.create.topics.enable"].value == "false"
    assert configs["num.partitions"].value == "6"


@pytest.mark.kafka
def test_stop_is_clean_and_frees_the_ports(broker_dir: Path) -> None:
    fetch()
    port, controller_port = free_ports(2)
    broker = LocalBroker(port, controller_port, broker_dir)
    pid = broker.start(wait=120).pid
    assert pid is not None
    began = time.monotonic()
    assert broker.stop(timeout=60) is True
    assert time.monotonic() - began < 60, "needed SIGKILL: SIGTERM did not stop it"
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert not broker.pid_path.exists()
    assert port_free(port) and port_free(controller_port)
    assert "Graceful shutdown completed" in broker.log_path.read_text()
    assert broker.stop() is False  # nothing left to stop
    assert not broker.status().running


@pytest.mark.kafka
def test_restart_keeps_topics(broker_dir: Path, unique_topic: Callable[[str], str]) -> None:
    """Storage is formatted once: a second start reuses the cluster id and the data."""
    fetch()
    port, controller_port = free_ports(2)
    broker = LocalBroker(port, controller_port, broker_dir)
    topic = unique_topic("persist")
    broker.start(wait=120)
    try:
        ensure_topics(broker.bootstrap, {topic: 2})
        broker.stop()
        broker.start(wait=120)
        topics = AdminClient({"bootstrap.servers": broker.bootstrap}).list_topics(timeout=30)
        assert topic in topics.topics
    finally:
        broker.stop()


@pytest.mark.kafka
def test_start_failure_raises_with_log_tail(broker_dir: Path) -> None:
    fetch()
    port, controller_port = free_ports(2)
    broker = LocalBroker(port, controller_port, broker_dir, heap="not-a-size")
    with pytest.raises(BrokerError, match="exited during start-up") as err:
        broker.start(wait=60)
    assert "Invalid maximum heap size" in str(err.value)
    assert not broker.status().running


def test_start_refuses_a_taken_port(tmp_path: Path, broker_dir: Path) -> None:
    import socket

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        (other,) = free_ports(1)
        broker = LocalBroker(taken, other, broker_dir, libs_dir=tmp_path)
        (tmp_path / "kafka_2.13-4.1.1.jar").touch()
        with pytest.raises(BrokerError, match=f"broker port 127.0.0.1:{taken} is taken"):
            broker.start()


def test_start_without_jars_says_how_to_fetch(tmp_path: Path, broker_dir: Path) -> None:
    port, controller_port = free_ports(2)
    broker = LocalBroker(port, controller_port, broker_dir, libs_dir=tmp_path / "none")
    with pytest.raises(BrokerError, match="finops broker fetch"):
        broker.start()


def test_a_stale_pid_file_is_not_a_running_broker(tmp_path: Path) -> None:
    """After a reboot the pid may belong to anything: only our kafka.Kafka process counts."""
    port, controller_port = free_ports(2)
    broker = LocalBroker(port, controller_port, tmp_path)
    broker.pid_path.write_text(f"{os.getpid()}\n")  # alive, but pytest, not the broker
    assert not broker.status().running
    assert broker.stop() is False
    assert not broker.pid_path.exists()


def test_same_port_for_broker_and_controller_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BrokerError, match="different ports"):
        LocalBroker(40000, 40000, tmp_path)


def test_fetch_skips_maven_when_jars_are_present(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "kafka_2.13-4.1.1.jar").touch()
    monkeypatch.setattr(broker_mod.shutil, "which", lambda tool: None)  # no mvn, no java
    assert fetch(tmp_path) == tmp_path.resolve()


def test_fetch_without_maven_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(broker_mod.shutil, "which", lambda tool: None)
    with pytest.raises(BrokerError, match="`mvn` not found on PATH"):
        fetch(tmp_path / "libs")


def test_cluster_id_is_kafka_shaped() -> None:
    ids = {cluster_id() for _ in range(200)}
    assert len(ids) == 200
    for cid in ids:
        assert len(cid) == 22 and not cid.startswith("-")
        assert len(base64.urlsafe_b64decode(cid + "==")) == 16


def test_server_properties_single_node_kraft(tmp_path: Path) -> None:
    text = server_properties(41000, 41001, tmp_path / "kraft")
    props = dict(line.split("=", 1) for line in text.splitlines() if not line.startswith("#"))
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:41000,CONTROLLER://127.0.0.1:41001"
    assert props["advertised.listeners"] == "PLAINTEXT://127.0.0.1:41000"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:41001"
    assert props["log.dirs"] == str(tmp_path / "kraft")
    assert props["auto.create.topics.enable"] == "false"
    assert props["num.partitions"] == "6"
    assert props["offsets.topic.replication.factor"] == "1"


def test_a_zombie_leader_with_running_threads_has_not_exited() -> None:
    """Linux shows a process whose main thread ended first as a zombie while its other threads
    run on (the race behind a broker reported stopped while still up): only the last thread's
    end counts as the exit."""
    code = (
        "import ctypes, sys, threading, time\n"
        "threading.Thread(target=lambda: (sys.stdin.read(), time.sleep(0.2))).start()\n"
        "ctypes.CDLL(None).pthread_exit(None)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while psutil.Process(proc.pid).status() != psutil.STATUS_ZOMBIE:
            assert time.monotonic() < deadline, "the main thread never ended"
            time.sleep(0.05)
        assert psutil.Process(proc.pid).num_threads() == 2
        assert not exited(proc.pid)
        assert proc.poll() is None
    finally:
        assert proc.stdin is not None
        proc.stdin.close()  # the remaining thread returns: the process ends
    proc.wait(timeout=30)
    assert exited(proc.pid)
