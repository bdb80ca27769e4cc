"""docker-compose.yml and Dockerfile stay in step with the `finops` CLI and the broker rules.

No Docker engine is needed: the files are parsed, and every service's command is parsed by the
real `finops` argument parser, so a renamed flag or subcommand fails here, not at deploy time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from finops.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
KAFKA_NODES = ("kafka-1", "kafka-2", "kafka-3")
ICEBERG_SERVICES = ("iceberg-rest", "trino")  # third-party images (docs/iceberg.md)
FINOPS_SERVICES = sorted(name for name in SERVICES if name not in KAFKA_NODES + ICEBERG_SERVICES)


def _env(service: dict[str, Any]) -> dict[str, str]:
    return {key: str(value) for key, value in service.get("environment", {}).items()}


def test_the_expected_services_exist() -> None:
    assert set(SERVICES) == {*KAFKA_NODES, *ICEBERG_SERVICES, "estate", "scanner", "stream", "jobs", "web",
                             "notifier", "stream-iceberg"}


def test_trino_and_the_iceberg_stream_share_one_rest_catalog_and_the_data_volume() -> None:
    trino = SERVICES["trino"]
    mount = next(v for v in trino["volumes"] if v.endswith(":ro"))
    local, inside = mount.split(":")[:2]
    assert inside == "/etc/trino/catalog/iceberg.properties"
    props = dict(line.split("=", 1) for line in (ROOT / local).read_text().splitlines()
                 if line and not line.startswith("#"))
    env = _env(SERVICES["stream-iceberg"])
    assert props["iceberg.catalog.type"] == env["PYICEBERG_CATALOG__FINOPS__TYPE"] == "rest"
    assert props["iceberg.rest-catalog.uri"] == env["PYICEBERG_CATALOG__FINOPS__URI"]
    warehouse = _env(SERVICES["iceberg-rest"])["CATALOG_WAREHOUSE"]
    assert warehouse.startswith(f"file://{env['FINOPS_DATA_DIR']}/")
    assert all("data:/data" in SERVICES[name]["volumes"] for name in (*ICEBERG_SERVICES, "stream-iceberg"))


@pytest.mark.parametrize("name", FINOPS_SERVICES)
def test_service_command_parses_with_the_finops_cli(name: str) -> None:
    command = [str(part) for part in SERVICES[name]["command"]]
    try:
        args = build_parser().parse_args(command)
    except SystemExit as exc:
        pytest.fail(f"service {name}: `finops {' '.join(command)}` is rejected (exit {exc.code})")
    assert getattr(args, "handler", None) is not None, f"service {name} runs no handler"


@pytest.mark.parametrize("name", FINOPS_SERVICES)
def test_service_uses_the_image_broker_and_shared_data(name: str) -> None:
    service = SERVICES[name]
    assert service["build"] == "."
    env = _env(service)
    assert env["KAFKA_BOOTSTRAP_SERVERS"] == "kafka-1:9092,kafka-2:9092,kafka-3:9092"
    # the topics the services create get the cluster's durability (schemas.topics.TopicSettings)
    assert (env["FINOPS_TOPIC_REPLICATION_FACTOR"], env["FINOPS_TOPIC_MIN_INSYNC_REPLICAS"]) == ("3", "2")
    assert f"data:{env['FINOPS_DATA_DIR']}" in service["volumes"]


def test_stream_runs_two_members_of_one_consumer_group() -> None:
    stream = SERVICES["stream"]
    assert stream["deploy"]["replicas"] == 2
    command = stream["command"]
    assert command[command.index("--group") + 1] == "finops-stream"
    assert "container_name" not in stream  # replicas need generated names


def test_web_listens_on_all_interfaces_on_8080() -> None:
    web = SERVICES["web"]
    command = web["command"]
    assert command[command.index("--host") + 1] == "0.0.0.0"
    assert command[command.index("--port") + 1] == "8080"
    assert "8080:8080" in web["ports"]


def test_web_serves_with_tokens_from_the_mounted_secret_and_names_its_hosts() -> None:
    command = [str(c) for c in SERVICES["web"]["command"]]
    args = build_parser().parse_args(command)
    assert not args.no_auth and not args.allow_writes_without_auth
    secret = SERVICES["web"]["secrets"]
    assert secret == ["web_tokens"] and args.tokens == "/run/secrets/web_tokens"
    source = COMPOSE["secrets"]["web_tokens"]["file"]
    default = source.split(":-", 1)[1].rstrip("}")  # ${FINOPS_WEB_TOKENS:-./deploy/...}
    assert default.lstrip("./") in (ROOT / ".gitignore").read_text()  # hashes, yet not committed
    hosts = args.allowed_hosts.split(",")
    assert {"localhost", "127.0.0.1", "web"} <= set(hosts)  # the published port + service name


@pytest.mark.parametrize("name", KAFKA_NODES)
def test_kafka_is_a_three_node_kraft_cluster_with_rf_3_and_min_isr_2(name: str) -> None:
    kafka = SERVICES[name]
    assert kafka["image"] == "apache/kafka:4.1.1"
    env = _env(kafka)
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    node = env["KAFKA_NODE_ID"]
    assert name == f"kafka-{node}" and kafka["hostname"] == name
    voters = env["KAFKA_CONTROLLER_QUORUM_VOTERS"].split(",")
    voter_port = voters[0].rsplit(":", 1)[1]
    assert voters == [f"{n}@kafka-{n}:{voter_port}" for n in (1, 2, 3)]
    assert f"CONTROLLER://:{voter_port}" in env["KAFKA_LISTENERS"].split(",")
    assert f"PLAINTEXT://{name}:9092" in env["KAFKA_ADVERTISED_LISTENERS"].split(",")
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    for key in (
        "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
        "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
        "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR",
        "KAFKA_DEFAULT_REPLICATION_FACTOR",
    ):
        assert env[key] == "3", key
    for key in ("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR",
                "KAFKA_MIN_INSYNC_REPLICAS"):
        assert env[key] == "2", key
    assert len(env["CLUSTER_ID"]) == 22
    assert len({_env(SERVICES[n])["CLUSTER_ID"] for n in KAFKA_NODES}) == 1
    assert f"{name}-data:/var/lib/kafka/data" in kafka["volumes"]
    protocols = dict(
        item.split(":") for item in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(",")
    )
    for listener in env["KAFKA_LISTENERS"].split(","):
        assert listener.split("://")[0] in protocols, listener


def test_finops_services_wait_for_every_kafka_node() -> None:
    for name in ("scanner", "stream", "jobs", "web"):
        assert set(SERVICES[name]["depends_on"]) >= set(KAFKA_NODES), name


def test_dockerfile_installs_the_project_on_python_311_slim() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11-slim" in text
    assert "pip install ." in text
    assert 'ENTRYPOINT ["finops"]' in text


def test_dockerignore_keeps_local_state_out_of_the_image() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", ".cache", "data", ".stress"} <= ignored


def test_notifier_reads_the_mounted_rules_and_every_service_exposes_metrics() -> None:
    from notify.rules import load

    notifier = SERVICES["notifier"]
    command = notifier["command"]
    mount = next(v for v in notifier["volumes"] if v.endswith(":ro"))
    local, inside = mount.split(":")[:2]
    assert command[command.index("--rules") + 1] == inside
    assert load(ROOT / local)  # the shipped rule file parses
    for name in ("scanner", "stream", "jobs", "notifier", "web"):
        command = SERVICES[name]["command"]
        port = command[command.index("--metrics-port") + 1]
        assert any(str(p).split(":")[-1] == port for p in SERVICES[name]["ports"]), name
