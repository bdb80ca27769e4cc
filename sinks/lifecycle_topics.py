"""The jobs' lifecycle output on Kafka: events and compacted states, written in one transaction.

Why a transaction: the state topic is both the subscribers' bootstrap and the jobs' memory of
what they already published (read back at start). Events and the states they lead to commit
together or not at all, so a crash between the two cannot re-emit an event (its state is
there) or lose one (neither is); read_committed consumers never see an aborted attempt.
`init_transactions` fences an older instance with the same transactional id and aborts its
open transaction before the state is read back, so the memory is what was really committed.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from confluent_kafka import (
    OFFSET_BEGINNING,
    Consumer,
    KafkaError,
    KafkaException,
    Producer,
    TopicPartition,
)

from schemas.registry import latest
from schemas.topics import EVENTS_TOPIC, STATE_TOPIC
from schemas.wire import Decoder, encode

log = logging.getLogger(__name__)

TRANSACTIONAL_ID = "finops-jobs-lifecycle"


def read_states(bootstrap: str, topic: str, *, timeout_s: float = 60.0) -> dict[str, dict]:
    """fingerprint -> latest committed state record on `topic` (tombstones delete)."""
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": f"finops-jobs-state-reader-{uuid.uuid4().hex[:8]}",  # assign(): never commits
        "enable.auto.commit": False,
        "isolation.level": "read_committed",
        "enable.partition.eof": True,
    })
    decoder = Decoder()
    states: dict[str, dict] = {}
    try:
        meta = consumer.list_topics(topic, timeout=timeout_s).topics.get(topic)
        if meta is None or meta.error is not None:
            raise RuntimeError(f"state topic {topic}: {meta.error if meta else 'missing'}")
        pending = set(meta.partitions)
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in sorted(pending)])
        deadline = time.monotonic() + timeout_s
        while pending:
            if time.monotonic() > deadline:
                raise TimeoutError(f"reading {topic}: partitions {sorted(pending)} not at end "
                                   f"after {timeout_s}s")
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            err = msg.error()
            if err is not None:
                if err.code() == KafkaError._PARTITION_EOF:
                    pending.discard(msg.partition())
                    continue
                raise RuntimeError(f"reading {topic}[{msg.partition()}]: {err}")
            key = (msg.key() or b"").decode()
            value = msg.value()
            if value is None:
                states.pop(key, None)
            else:
                try:
                    states[key] = decoder.decode(value)[1]
                except ValueError as exc:
                    raise RuntimeError(f"{topic}[{msg.partition()}]@{msg.offset()}: {exc}") from exc
    finally:
        consumer.close()
    return states


class LifecyclePublisher:
    """Publishes events + states transactionally and remembers the committed states."""

    def __init__(self, bootstrap: str, *, events_topic: str = EVENTS_TOPIC,
                 state_topic: str = STATE_TOPIC, transactional_id: str = TRANSACTIONAL_ID,
                 timeout_s: float = 30.0) -> None:
        self.events_topic = events_topic
        self.state_topic = state_topic
        self.timeout_s = timeout_s
        self._events_schema = latest("finding_event")
        self._state_schema = latest("finding_state")
        self._producer = Producer({
            "bootstrap.servers": bootstrap,
            "transactional.id": transactional_id,
            "enable.idempotence": True,
            "acks": "all",
            "linger.ms": 5,
            "compression.type": "zstd",
        })
        self._producer.init_transactions(timeout_s)
        self.published: dict[str, dict] = read_states(bootstrap, state_topic, timeout_s=timeout_s)
        self.events_sent = 0
        log.info("lifecycle state read back", extra={"topic": state_topic,
                                                     "findings": len(self.published)})

    def _produce(self, topic: str, key: str, value: bytes) -> None:
        while True:
            try:
                self._producer.produce(topic, key=key.encode(), value=value)
                return
            except BufferError:  # queue full: let deliveries drain
                self._producer.poll(0.1)

    def publish(self, events: Iterable[Mapping[str, Any]], states: Iterable[Mapping[str, Any]]
                ) -> int:
        """One transaction: every event, then every changed state. Returns events published."""
        events, states = list(events), list(states)
        if not events and not states:
            return 0
        self._producer.begin_transaction()
        try:
            for e in events:
                self._produce(self.events_topic, e["fingerprint"], encode(e, self._events_schema))
            for s in states:
                self._produce(self.state_topic, s["fingerprint"], encode(s, self._state_schema))
            self._producer.commit_transaction(self.timeout_s)
        except KafkaException as exc:
            err = exc.args[0] if exc.args else None
            if isinstance(err, KafkaError) and not err.fatal():
                self._producer.abort_transaction(self.timeout_s)
            raise RuntimeError(f"lifecycle transaction to {self.events_topic}/"
                               f"{self.state_topic} ({len(events)} events, {len(states)} states)"
                               f" aborted: {exc}") from exc
        except BaseException:
            self._producer.abort_transaction(self.timeout_s)
            raise
        for s in states:
            self.published[s["fingerprint"]] = dict(s)
        self.events_sent += len(events)
        return len(events)

    def close(self) -> None:
        self._producer.flush(self.timeout_s)
