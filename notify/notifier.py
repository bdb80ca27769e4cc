"""`finops notify`: lifecycle events -> webhooks, as consumer group `finops-notify`.

Offsets are committed only after delivery: each consumed event is outstanding until every rule
it matched has delivered it (or dead-lettered it), and a partition's commit is its lowest
outstanding offset (or past the last consumed one when none is). So a crash re-reads, and may
re-send, only events whose messages were not all confirmed; each re-send carries the same event
ids, and a message with the same events carries the same Idempotency-Key.

An event no rule matches is done at once. A message that stays undeliverable (attempts used
up, or a 4xx that is not 429) is dead-lettered: every event of it goes, with its original
bytes, to the notify dead-letter topic with headers naming the rule, URL, status and error;
then it counts as done, so one broken webhook never stops the others.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition

from notify.delivery import Outcome, RetryPolicy, post
from notify.messages import body, idempotency_key
from notify.rules import Rule
from schemas.wire import Decoder, WireError

log = logging.getLogger(__name__)

GROUP_ID = "finops-notify"
Position = tuple[str, int, int]  # topic, partition, offset


@dataclass
class _Digest:
    rule: Rule
    events: list[dict[str, Any]] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)
    positions: list[Position] = field(default_factory=list)
    since: float = 0.0


@dataclass
class NotifyStats:
    consumed: int = 0
    matched: int = 0
    messages_sent: int = 0
    events_sent: int = 0
    dead_lettered: int = 0
    undecodable: int = 0


class Notifier:
    def __init__(self, bootstrap: str, topic: str, rules: list[Rule], *, dlq_topic: str,
                 group_id: str = GROUP_ID, policy: RetryPolicy | None = None,
                 send: Callable[..., Outcome] = post) -> None:
        self.topic = topic
        self.rules = rules
        self.dlq_topic = dlq_topic
        self.policy = policy or RetryPolicy()
        self.send = send
        self.stats = NotifyStats()
        self.decoder = Decoder()
        self.consumer = Consumer({
            "bootstrap.servers": bootstrap, "group.id": group_id,
            "enable.auto.commit": False, "auto.offset.reset": "earliest",
            "isolation.level": "read_committed",  # the jobs publish events transactionally
        })
        self.dlq = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True,
                             "acks": "all"})
        self._digests = {r.name: _Digest(r) for r in rules}
        self._outstanding: dict[Position, int] = {}
        self._last: dict[tuple[str, int], int] = {}
        self._committed: dict[tuple[str, int], int] = {}
        self.stop_event = threading.Event()

    # -- consuming ---------------------------------------------------------------------------
    def _take(self, msg: Any) -> None:
        pos: Position = (msg.topic(), msg.partition(), msg.offset())
        self._last[(pos[0], pos[1])] = pos[2]
        self.stats.consumed += 1
        raw = msg.value() or b""
        try:
            schema, event = self.decoder.decode(raw)
            if schema.name != "finding_event":
                raise WireError("wrong_schema", f"{schema.name} record on the events topic")
        except WireError as exc:
            self.stats.undecodable += 1
            self._dead_letter(raw, msg.key(), pos, rule="-", url="-", status=None,
                              error=str(exc))
            return
        hits = [r for r in self.rules if r.matches(event)]
        if not hits:
            return
        self.stats.matched += 1
        self._outstanding[pos] = len(hits)
        now = time.monotonic()
        for rule in hits:
            d = self._digests[rule.name]
            if not d.events:
                d.since = now
            d.events.append(event)
            d.raw.append(raw)
            d.positions.append(pos)

    # -- delivering ----------------------------------------------------------------------------
    def _due(self, d: _Digest, now: float, final: bool) -> bool:
        if not d.events:
            return False
        return (final or len(d.events) >= d.rule.max_events
                or now - d.since >= d.rule.interval_s)

    def _deliver(self, d: _Digest) -> None:
        events, raws, positions = d.events, d.raw, d.positions
        d.events, d.raw, d.positions = [], [], []
        for i in range(0, len(events), d.rule.max_events):
            chunk = slice(i, i + d.rule.max_events)
            batch = events[chunk]
            key = idempotency_key(batch)
            headers = {"Idempotency-Key": key, **dict(d.rule.webhook.headers)}
            outcome = self.send(d.rule.webhook.url, body(d.rule.webhook.format, d.rule.name, batch),
                                headers, self.policy)
            if outcome.delivered:
                self.stats.messages_sent += 1
                self.stats.events_sent += len(batch)
                log.info("notification delivered", extra={
                    "rule": d.rule.name, "events": len(batch), "attempts": outcome.attempts,
                    "idempotency_key": key})
            else:
                log.error("notification undeliverable; dead-lettered", extra={
                    "rule": d.rule.name, "events": len(batch), "attempts": outcome.attempts,
                    "status": outcome.status, "error": outcome.error})
                for raw, pos in zip(raws[chunk], positions[chunk], strict=True):
                    self._dead_letter(raw, None, pos, rule=d.rule.name, url=d.rule.webhook.url,
                                      status=outcome.status, error=outcome.error or "")
                self._flush_dlq()
            for pos in positions[chunk]:
                left = self._outstanding[pos] - 1
                if left:
                    self._outstanding[pos] = left
                else:
                    del self._outstanding[pos]

    def _dead_letter(self, raw: bytes, key: bytes | None, pos: Position, *, rule: str, url: str,
                     status: int | None, error: str) -> None:
        self.stats.dead_lettered += 1
        self.dlq.produce(self.dlq_topic, key=key or f"{pos[0]}:{pos[1]}:{pos[2]}".encode(),
                         value=raw, headers=[
                             ("notify.rule", rule.encode()), ("notify.url", url.encode()),
                             ("notify.status", str(status or "").encode()),
                             ("notify.error", error.encode()[:4000]),
                             ("notify.source", f"{pos[0]}:{pos[1]}:{pos[2]}".encode())])

    def _flush_dlq(self) -> None:
        while self.dlq.flush(5.0):
            log.warning("notify dead-letter topic not acknowledging yet",
                        extra={"topic": self.dlq_topic})

    def _commit(self) -> None:
        """Commit, per partition, the lowest outstanding offset (or past the last consumed)."""
        self._flush_dlq()  # letters durable before the offsets that produced them
        low: dict[tuple[str, int], int] = {}
        for t, p, o in self._outstanding:
            low[(t, p)] = min(o, low.get((t, p), o))
        offsets = []
        for tp, last in self._last.items():
            nxt = low.get(tp, last + 1)
            if self._committed.get(tp) != nxt:
                offsets.append(TopicPartition(tp[0], tp[1], nxt))
        if not offsets:
            return
        try:
            self.consumer.commit(offsets=offsets, asynchronous=False)
        except KafkaException as exc:  # e.g. rebalanced away: those events are re-read
            log.warning("notify commit failed", extra={"error": str(exc)})
            return
        for done in offsets:
            self._committed[(done.topic, done.partition)] = done.offset

    def _on_revoke(self, consumer: Any, partitions: list[TopicPartition]) -> None:
        """Deliver what is held before the partitions go, so the new owner resumes cleanly."""
        self.flush(final=True)

    def flush(self, final: bool = False) -> None:
        now = time.monotonic()
        for d in self._digests.values():
            if self._due(d, now, final):
                self._deliver(d)
        self._commit()

    def run(self, max_idle_s: float | None = None) -> NotifyStats:
        """Until stopped (or, with `max_idle_s`, that long without events and nothing held)."""
        self.consumer.subscribe([self.topic], on_revoke=self._on_revoke)
        idle_since = time.monotonic()
        try:
            while not self.stop_event.is_set():
                msgs = self.consumer.consume(500, timeout=0.2)
                for msg in msgs:
                    err = msg.error()
                    if err is not None:
                        if err.code() == KafkaError._PARTITION_EOF:
                            continue
                        raise KafkaException(err)
                    self._take(msg)
                self.flush()
                now = time.monotonic()
                if msgs or self._outstanding:
                    idle_since = now
                elif max_idle_s is not None and now - idle_since >= max_idle_s:
                    break
            self.flush(final=True)
        finally:
            self.consumer.close()
            self._flush_dlq()
        return self.stats
