"""Topic names and topic creation. Versioned names: a breaking change gets a new topic.

Durability comes from configuration (`TopicSettings.from_env`): replication factor,
`min.insync.replicas` and the default partition count of every topic the project creates. One
node locally (1 / 1); `docker-compose.yml` runs three brokers with 3 / 2, so that the producers'
`acks=all` waits for two replicas and one broker may fail without losing an acknowledged record.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, NewTopic

RAW_TOPIC = "finops.findings.raw.v1"
DLQ_TOPIC = "finops.findings.dlq.v1"
SCANS_TOPIC = "finops.scans.v1"
SNAPSHOTS_TOPIC = "finops.snapshots.v1"
# for subscribers (docs/consumers.md): validated findings, lifecycle events, compacted states
FINDINGS_TOPIC = "finops.findings.v1"
EVENTS_TOPIC = "finops.findings.events.v1"
STATE_TOPIC = "finops.findings.state.v1"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TopicSettings:
    """How every created topic is laid out; env: FINOPS_TOPIC_PARTITIONS,
    FINOPS_TOPIC_REPLICATION_FACTOR, FINOPS_TOPIC_MIN_INSYNC_REPLICAS."""

    partitions: int = 6
    replication_factor: int = 1
    min_insync_replicas: int = 1

    def __post_init__(self) -> None:
        if self.partitions < 1 or self.replication_factor < 1:
            raise ValueError(f"topic settings: partitions and replication factor must be >= 1 ({self})")
        if not 1 <= self.min_insync_replicas <= self.replication_factor:
            raise ValueError(
                f"topic settings: min.insync.replicas must lie in [1, replication factor] ({self}); "
                "more would refuse every acks=all write"
            )

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> TopicSettings:
        def number(name: str, default: int) -> int:
            raw = env.get(name, "").strip()
            if not raw:
                return default
            if not raw.isascii() or not raw.isdigit():
                raise ValueError(f"{name}={raw!r} is not a positive integer")
            return int(raw)

        default = cls()
        return cls(
            partitions=number("FINOPS_TOPIC_PARTITIONS", default.partitions),
            replication_factor=number("FINOPS_TOPIC_REPLICATION_FACTOR", default.replication_factor),
            min_insync_replicas=number("FINOPS_TOPIC_MIN_INSYNC_REPLICAS", default.min_insync_replicas),
        )

    def topic_config(self, *, compacted: bool) -> dict[str, str]:
        config = {"min.insync.replicas": str(self.min_insync_replicas)}
        if compacted:
            config["cleanup.policy"] = "compact"
        return config


DEFAULT_PARTITIONS = TopicSettings.from_env().partitions


def ensure_topics(
    bootstrap_servers: str,
    topics: dict[str, int],
    *,
    compacted: frozenset[str] = frozenset(),
    timeout: float = 30.0,
    settings: TopicSettings | None = None,
) -> None:
    """Create missing topics (name -> partition count) with the configured replication factor and
    min.insync.replicas (`TopicSettings.from_env()` unless given). Existing topics are left alone;
    one with fewer replicas than configured is logged as a warning (Kafka cannot raise a topic's
    replication factor by itself: that takes a partition reassignment)."""
    settings = settings or TopicSettings.from_env()
    admin = AdminClient({"bootstrap.servers": bootstrap_servers})
    metadata = admin.list_topics(timeout=timeout).topics
    for name in sorted(set(topics) & set(metadata)):
        replicas = min((len(p.replicas) for p in metadata[name].partitions.values()), default=0)
        if replicas < settings.replication_factor:
            log.warning(
                "existing topic has fewer replicas than configured",
                extra={"topic": name, "replicas": replicas, "configured": settings.replication_factor},
            )
    new = [
        NewTopic(
            name,
            num_partitions=parts,
            replication_factor=settings.replication_factor,
            config=settings.topic_config(compacted=name in compacted),
        )
        for name, parts in sorted(topics.items())
        if name not in metadata
    ]
    if not new:
        return
    for name, fut in admin.create_topics(new, operation_timeout=timeout).items():
        try:
            fut.result(timeout=timeout)
            log.info("topic created", extra={"topic": name, "partitions": topics[name],
                                             "replication_factor": settings.replication_factor,
                                             "min_insync_replicas": settings.min_insync_replicas})
        except KafkaException as exc:
            if "TOPIC_ALREADY_EXISTS" not in str(exc):
                raise RuntimeError(f"creating topic {name}: {exc}") from exc
