"""Root fixtures: one real Kafka broker per test session, and unique topic names.

Where the broker comes from, first match wins:
1. `KAFKA_BOOTSTRAP_SERVERS` is set (`make test` / `.ci/run` start the project's broker and set
   it; a developer may point it at any broker): use it as is.
2. A Docker engine answers `docker info`: an `apache/kafka` container (KRaft, single node).
3. Otherwise the project's own `finops.broker.LocalBroker` on free ports with a temporary data
   directory, stopped at the end of the session.
The broker is started lazily: a session that runs no `kafka` test starts nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

KAFKA_IMAGE = "apache/kafka:4.1.1"
START_TIMEOUT = 120.0


def _docker_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        proc = subprocess.run(["docker", "info"], capture_output=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0


def _docker_kafka() -> Iterator[str]:
    """A KRaft broker in a container, advertised on the same port it is published on.

    Not testcontainers' `KafkaContainer`: its start script and KRaft version check are written
    for Confluent's cp-kafka image and reject `apache/kafka:4.x`. A fixed host port (equal to the
    container port) lets the advertised listener be set before the container starts.
    """
    from testcontainers.core.container import DockerContainer
    from testcontainers.core.wait_strategies import LogMessageWaitStrategy

    from finops.broker import cluster_id, free_ports

    (port,) = free_ports(1)
    container = DockerContainer(KAFKA_IMAGE)
    host = container.get_docker_client().host()
    container.with_bind_ports(port, port).with_envs(
        CLUSTER_ID=cluster_id(),
        KAFKA_NODE_ID="1",
        KAFKA_PROCESS_ROLES="broker,controller",
        KAFKA_LISTENERS=f"PLAINTEXT://0.0.0.0:{port},CONTROLLER://0.0.0.0:9093",
        KAFKA_ADVERTISED_LISTENERS=f"PLAINTEXT://{host}:{port}",
        KAFKA_CONTROLLER_LISTENER_NAMES="CONTROLLER",
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP="PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        KAFKA_CONTROLLER_QUORUM_VOTERS="1@localhost:9093",
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR="1",
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR="1",
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR="1",
        KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR="1",
        KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR="1",
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS="0",
        KAFKA_NUM_PARTITIONS="6",
        KAFKA_AUTO_CREATE_TOPICS_ENABLE="false",
    ).waiting_for(
        LogMessageWaitStrategy("Kafka Server started").with_startup_timeout(int(START_TIMEOUT))
    )
    container.start()
    try:
        yield f"{host}:{port}"
    finally:
        container.stop()


def _local_kafka() -> Iterator[str]:
    """The project's broker in a fresh temp dir (kept if it fails to start: it holds the log).

    Not under pytest's `tmp_path_factory`: concurrent pytest sessions on one machine prune each
    other's numbered temp dirs, which would delete the broker's pid file and data mid-run.
    """
    from finops.broker import LocalBroker, fetch, free_ports

    fetch()
    port, controller_port = free_ports(2)
    data_dir = Path(tempfile.mkdtemp(prefix="finops-test-kafka-"))
    broker = LocalBroker(port, controller_port, data_dir)
    broker.start(wait=START_TIMEOUT)
    try:
        yield broker.bootstrap
    finally:
        broker.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


# Folders whose tests share an expensive session fixture (tests/web: the estate snapshot set, an
# estate scan plus a jobs window; tests/jobs/cur: the real CUR months normalized): under
# pytest-xdist each runs on one worker, so the fixture is built once.
SHARED_SCOPES = ("tests/web/", "tests/jobs/cur/")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`pytest -n N` (scripts/test.sh): a test file runs on one worker, so its module fixtures are
    built once, and so does each folder of SHARED_SCOPES. (xdist's own `--dist loadgroup` marks
    give no groups under pytest 9.2: the node ids it rewrites are not the ones reported.)"""
    from xdist.scheduler import LoadScopeScheduling

    class SharedFixtureScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            shared = next((s for s in SHARED_SCOPES if nodeid.startswith(s)), None)
            return shared or nodeid.split("::", 1)[0]

    return SharedFixtureScheduling(config, log)


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """`host:port` of a real Kafka broker, shared by the whole session.

    While the session runs, KAFKA_BOOTSTRAP_SERVERS points at it too, so code under test that
    resolves the broker through `common.settings.bootstrap_servers()` (or a `finops` subprocess)
    talks to the same broker instead of the developer's default one.
    """
    given = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if given:
        yield given
        return
    source = _docker_kafka() if _docker_answers() else _local_kafka()
    bootstrap = next(source)
    os.environ["KAFKA_BOOTSTRAP_SERVERS"] = bootstrap
    try:
        yield bootstrap
    finally:
        os.environ.pop("KAFKA_BOOTSTRAP_SERVERS", None)
        source.close()  # runs the generator's finally: stops the broker


@pytest.fixture
def unique_topic() -> Callable[[str], str]:
    """Factory: `unique_topic("raw")` -> "raw.<32 hex>", a name no other test or run uses.

    Only the name: topics are created by the code under test (auto-creation is off on the
    project's brokers), typically through `schemas.topics.ensure_topics`.
    """

    def make(prefix: str) -> str:
        return f"{prefix}.{uuid.uuid4().hex}"

    return make
