"""The dead-letter topic: invalid input is kept, never dropped, and counted.

Each dead letter carries the original bytes and headers naming the reason and where it came from.
Its key is `<topic>:<partition>:<offset>` and the topic is compacted, so the re-delivery of a record
after a crash replaces its earlier dead letter instead of counting it twice.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from typing import Any

from confluent_kafka import KafkaError, Message, Producer

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DeadLetter:
    topic: str
    partition: int
    offset: int
    value: bytes
    reason: str  # short code: truncated, bad_marker, unknown_schema, bad_body, contract
    detail: str  # every problem, with field names
    headers: tuple[tuple[str, str | bytes | None], ...] = ()

    @property
    def key(self) -> str:
        return f"{self.topic}:{self.partition}:{self.offset}"

    def kafka_headers(self) -> list[tuple[str, str | bytes | None]]:
        own: list[tuple[str, str | bytes | None]] = [
            ("dlq.reason", self.reason.encode()),
            ("dlq.detail", self.detail.encode()[:8000]),
            ("dlq.source.topic", self.topic.encode()),
            ("dlq.source.partition", str(self.partition).encode()),
            ("dlq.source.offset", str(self.offset).encode()),
        ]
        return own + [(f"orig.{k}", v) for k, v in self.headers]


class DeadLetterPublisher:
    def __init__(self, bootstrap_servers: str, topic: str, extra: dict[str, Any] | None = None) -> None:
        self.topic = topic
        self.counts: Counter[str] = Counter()
        self._failures: list[str] = []
        self._producer = Producer(
            {
                "bootstrap.servers": bootstrap_servers,
                "enable.idempotence": True,
                "acks": "all",
                "linger.ms": 5,
                **(extra or {}),
            }
        )

    def _on_delivery(self, err: KafkaError | None, msg: Message) -> None:
        if err is not None:
            self._failures.append(f"{msg.key()!r}: {err.str()}")

    def send(self, letter: DeadLetter) -> None:
        self.counts[letter.reason] += 1
        log.warning(
            "dead letter",
            extra={"source": letter.key, "reason": letter.reason, "detail": letter.detail[:300]},
        )
        self._producer.produce(
            self.topic,
            key=letter.key.encode(),
            value=letter.value,
            headers=letter.kafka_headers(),
            on_delivery=self._on_delivery,
        )
        self._producer.poll(0)

    def flush(self, timeout: float = 60.0) -> None:
        """Called before source offsets are committed: a dead letter must be durable first."""
        if self._producer.flush(timeout):
            raise RuntimeError(f"dead letters still in flight after {timeout}s")
        if self._failures:
            failures, self._failures = self._failures, []
            raise RuntimeError(f"{len(failures)} dead letters failed; first: {failures[0]}")
