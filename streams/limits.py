"""Message-size limits of the stream's topics, and the client settings that follow from them.

Why: a consumer whose fetch size is below the largest message its topic accepts either skips that
message (aiokafka: RecordTooLargeError, position moved past it) or stalls; a dead-letter producer
whose limit differs from the dead-letter topic's either refuses a letter the topic would take or
sends one the broker rejects. So both come from one place: the topics' `max.message.bytes`, read
from the broker, unless configuration gives them explicitly (`finops stream --max-message-bytes`,
`--dlq-max-message-bytes`). Read once, at start-up: raising a topic's limit needs a worker restart.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, ConfigResource

# Kafka's default for a topic without an explicit max.message.bytes (broker message.max.bytes).
KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588
# What a fetch carries besides the record itself (batch header, record framing): generous.
FETCH_OVERHEAD_BYTES = 64 * 1024
MIN_PARTITION_FETCH_BYTES = 4 * 1024 * 1024  # what the engines fetched before limits were aligned
MIN_FETCH_BYTES = 16 * 1024 * 1024
RECEIVE_MAX_BYTES = 100_000_000  # librdkafka's default receive.message.max.bytes


@dataclass(frozen=True, slots=True)
class MessageLimits:
    source_max_bytes: int  # largest record batch any consumed topic accepts
    dlq_max_bytes: int  # largest record batch the dead-letter topic accepts

    @property
    def partition_fetch_bytes(self) -> int:
        """Per-partition fetch size that always holds the largest accepted message."""
        return max(MIN_PARTITION_FETCH_BYTES, self.source_max_bytes + FETCH_OVERHEAD_BYTES)

    @property
    def fetch_bytes(self) -> int:
        return max(MIN_FETCH_BYTES, self.partition_fetch_bytes)

    def confluent_consumer(self) -> dict[str, int]:
        fetch = self.fetch_bytes
        return {
            "fetch.max.bytes": fetch,
            "max.partition.fetch.bytes": self.partition_fetch_bytes,
            # librdkafka requires receive.message.max.bytes >= fetch.max.bytes + 512
            "receive.message.max.bytes": max(RECEIVE_MAX_BYTES, fetch + 1024),
            # prefetch bound (memory); at least one whole fetch. 16 MiB as before for default topics
            "queued.max.messages.kbytes": max(16384, fetch // 1024),
        }


def topic_max_message_bytes(bootstrap: str, topics: Iterable[str], timeout: float = 30.0) -> dict[str, int]:
    """topic -> its effective `max.message.bytes` (topic override or broker default).

    A topic created a moment ago (the stream creates its topics right before this) may not be in
    the answering broker's metadata yet: UNKNOWN_TOPIC_OR_PART is retried until `timeout`, after
    which the error is raised with the topic named."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    pending = sorted(set(topics))
    out: dict[str, int] = {}
    deadline = time.monotonic() + timeout
    delay = 0.1
    while pending:
        resources = [ConfigResource(ConfigResource.Type.TOPIC, t) for t in pending]
        unknown: list[str] = []
        for resource, fut in admin.describe_configs(resources, request_timeout=timeout).items():
            try:
                entries = fut.result(timeout=timeout)
            except KafkaException as exc:
                err = exc.args[0] if exc.args else None
                if (isinstance(err, KafkaError) and err.code() == KafkaError.UNKNOWN_TOPIC_OR_PART
                        and time.monotonic() < deadline):
                    unknown.append(resource.name)
                    continue
                raise RuntimeError(f"describing topic {resource.name}: {exc}") from exc
            except Exception as exc:  # noqa: BLE001 - re-raised with the topic named
                raise RuntimeError(f"describing topic {resource.name}: {exc}") from exc
            entry = entries.get("max.message.bytes")
            out[resource.name] = (int(entry.value) if entry is not None and entry.value
                                  else KAFKA_DEFAULT_MAX_MESSAGE_BYTES)
        pending = unknown
        if pending:
            time.sleep(delay)
            delay = min(delay * 2, 1.0)
    return out


def resolve_limits(
    bootstrap: str,
    sources: Iterable[str],
    dlq_topic: str,
    *,
    source_max_bytes: int = 0,
    dlq_max_bytes: int = 0,
    dlq_bootstrap: str = "",
) -> MessageLimits:
    """Configured limits where given (> 0), else the topics' own, read from their broker."""
    sources = sorted(set(sources))
    if not source_max_bytes:
        source_max_bytes = max(topic_max_message_bytes(bootstrap, sources).values())
    if not dlq_max_bytes:
        dlq_max_bytes = topic_max_message_bytes(dlq_bootstrap or bootstrap, [dlq_topic])[dlq_topic]
    return MessageLimits(source_max_bytes, dlq_max_bytes)
