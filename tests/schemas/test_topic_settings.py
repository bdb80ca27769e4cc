"""Topic durability from configuration: replication factor, min.insync.replicas and partitions, as
the real broker reports them for the topics ensure_topics created."""

from __future__ import annotations

import uuid

import pytest
from confluent_kafka.admin import AdminClient, ConfigResource

from schemas.topics import TopicSettings, ensure_topics


def test_settings_come_from_the_environment() -> None:
    assert TopicSettings.from_env({}) == TopicSettings(partitions=6, replication_factor=1, min_insync_replicas=1)
    env = {"FINOPS_TOPIC_PARTITIONS": "12", "FINOPS_TOPIC_REPLICATION_FACTOR": "3",
           "FINOPS_TOPIC_MIN_INSYNC_REPLICAS": " 2 "}
    assert TopicSettings.from_env(env) == TopicSettings(partitions=12, replication_factor=3, min_insync_replicas=2)


@pytest.mark.parametrize(("env", "message"), [
    ({"FINOPS_TOPIC_REPLICATION_FACTOR": "1", "FINOPS_TOPIC_MIN_INSYNC_REPLICAS": "2"}, "min.insync.replicas"),
    ({"FINOPS_TOPIC_PARTITIONS": "0"}, "partitions"),
    ({"FINOPS_TOPIC_REPLICATION_FACTOR": "-1"}, "not a positive integer"),
    ({"FINOPS_TOPIC_REPLICATION_FACTOR": "\u0663"}, "not a positive integer"),  # Arabic-Indic three
    ({"FINOPS_TOPIC_PARTITIONS": "six"}, "not a positive integer"),
])
def test_impossible_settings_are_refused_with_the_variable_named(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TopicSettings.from_env(env)


def _describe(bootstrap: str, names: list[str]) -> dict[str, tuple[int, set[int], dict[str, str]]]:
    """name -> (partitions, replica counts, the topic configs we set), as the broker reports them."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    meta = admin.list_topics(timeout=30).topics
    out = {}
    futures = admin.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, n) for n in names])
    for resource, fut in futures.items():
        entries = fut.result(timeout=30)
        configs = {k: entries[k].value for k in ("min.insync.replicas", "cleanup.policy")}
        parts = meta[resource.name].partitions
        out[resource.name] = (len(parts), {len(p.replicas) for p in parts.values()}, configs)
    return out


@pytest.mark.kafka
def test_created_topics_carry_the_configured_durability(kafka_bootstrap: str) -> None:
    tag = uuid.uuid4().hex[:8]
    raw, dlq = f"durable.{tag}.raw", f"durable.{tag}.dlq"
    settings = TopicSettings(partitions=4, replication_factor=1, min_insync_replicas=1)
    ensure_topics(kafka_bootstrap, {raw: settings.partitions, dlq: 2}, compacted=frozenset({dlq}), settings=settings)
    got = _describe(kafka_bootstrap, [raw, dlq])
    assert got[raw] == (4, {1}, {"min.insync.replicas": "1", "cleanup.policy": "delete"})
    assert got[dlq] == (2, {1}, {"min.insync.replicas": "1", "cleanup.policy": "compact"})


@pytest.mark.kafka
def test_a_replication_factor_the_cluster_cannot_hold_fails_loudly(kafka_bootstrap: str) -> None:
    """RF 3 on the one local node: topic creation fails naming the topic, never silently RF 1."""
    topic = f"durable.{uuid.uuid4().hex[:8]}.raw"
    with pytest.raises(RuntimeError, match=rf"creating topic {topic}: .*(?i:replication)"):
        ensure_topics(kafka_bootstrap, {topic: 1},
                      settings=TopicSettings(partitions=1, replication_factor=3, min_insync_replicas=2))
