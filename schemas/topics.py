"""Topic names and topic creation. Versioned names: a breaking change gets a new topic."""

from __future__ import annotations

import logging

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
DEFAULT_PARTITIONS = 6

log = logging.getLogger(__name__)


def ensure_topics(
    bootstrap_servers: str,
    topics: dict[str, int],
    *,
    compacted: frozenset[str] = frozenset(),
    timeout: float = 30.0,
) -> None:
    """Create missing topics (name -> partition count); existing topics are left alone."""
    admin = AdminClient({"bootstrap.servers": bootstrap_servers})
    existing = set(admin.list_topics(timeout=timeout).topics)
    new = [
        NewTopic(
            name,
            num_partitions=parts,
            replication_factor=1,
            config={"cleanup.policy": "compact"} if name in compacted else {},
        )
        for name, parts in sorted(topics.items())
        if name not in existing
    ]
    if not new:
        return
    for name, fut in admin.create_topics(new, operation_timeout=timeout).items():
        try:
            fut.result(timeout=timeout)
            log.info("topic created", extra={"topic": name, "partitions": topics[name]})
        except KafkaException as exc:
            if "TOPIC_ALREADY_EXISTS" not in str(exc):
                raise RuntimeError(f"creating topic {name}: {exc}") from exc
