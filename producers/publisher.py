"""The producer library every scanner uses: idempotent, keyed by fingerprint, failures surfaced.

`enable.idempotence=true` + `acks=all` means a retried send never duplicates or reorders within a
partition; the key (the finding's fingerprint) sends one logical finding to one partition, in order.
Delivery failures are collected from the delivery callback and raised on `flush`, never dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from confluent_kafka import KafkaError, Message, Producer

from contracts.finding import Finding
from schemas.registry import latest
from schemas.topics import RAW_TOPIC
from schemas.wire import encode

log = logging.getLogger(__name__)


class DeliveryError(RuntimeError):
    """Some messages were not acknowledged by the broker."""


class FindingPublisher:
    def __init__(
        self,
        bootstrap_servers: str,
        topic: str = RAW_TOPIC,
        *,
        extra_config: Mapping[str, Any] | None = None,
    ) -> None:
        config: dict[str, Any] = {
            "bootstrap.servers": bootstrap_servers,
            "enable.idempotence": True,
            "acks": "all",
            "compression.type": "lz4",
            "linger.ms": 20,
            "batch.num.messages": 10000,
            "queue.buffering.max.messages": 500000,
            "message.timeout.ms": 120000,
        }
        config.update(extra_config or {})
        self.topic = topic
        self._producer = Producer(config)
        self._failures: list[str] = []
        self.sent = 0
        self.delivered = 0

    def _on_delivery(self, err: KafkaError | None, msg: Message) -> None:
        if err is not None:
            where = f"{msg.topic()}[{msg.partition()}] key={msg.key()!r}"
            self._failures.append(f"{where}: {err.str()}")
            log.error("delivery failed", extra={"topic": msg.topic(), "error": err.str()})
        else:
            self.delivered += 1

    def publish(self, finding: Finding, *, topic: str | None = None) -> str:
        """Encode and send one finding; returns its fingerprint (the message key)."""
        wire = finding.to_wire()
        self.publish_record(
            topic or self.topic,
            wire["fingerprint"],
            wire,
            schema="finding",
            headers={"tenant": wire["tenant_id"], "region": wire["region"], "run_id": wire["run_id"]},
        )
        return str(wire["fingerprint"])

    def publish_record(
        self,
        topic: str,
        key: str,
        value: Mapping[str, Any],
        schema: str = "finding",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        wire_schema = latest(schema)
        self.publish_raw(
            topic,
            key,
            encode(value, wire_schema),
            headers={"schema": wire_schema.name, "schema_fp": wire_schema.fingerprint_hex, **(headers or {})},
        )

    def publish_raw(self, topic: str, key: str, value: bytes, headers: Mapping[str, str] | None = None) -> None:
        """Send already-encoded bytes (the stress generator uses it to inject broken messages)."""
        hdrs: list[tuple[str, str | bytes | None]] = [(k, str(v).encode()) for k, v in (headers or {}).items()]
        while True:
            try:
                self._producer.produce(topic, value=value, key=key.encode(), headers=hdrs, on_delivery=self._on_delivery)
                break
            except BufferError:  # local queue full: back-pressure, let librdkafka drain
                self._producer.poll(0.5)
        self.sent += 1
        if self.sent % 1000 == 0:
            self._producer.poll(0)

    def flush(self, timeout: float = 60.0) -> int:
        """Wait for every message to be acknowledged; raises DeliveryError on any failure."""
        remaining = self._producer.flush(timeout)
        if remaining:
            raise DeliveryError(f"{remaining} messages still in flight after {timeout}s")
        if self._failures:
            failures, self._failures = self._failures, []
            raise DeliveryError(f"{len(failures)} messages failed; first: {failures[0]}")
        return self.delivered

    def close(self) -> None:
        self.flush()

    def __enter__(self) -> FindingPublisher:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if exc_type is None:
            self.close()
        else:
            self._producer.flush(10)
