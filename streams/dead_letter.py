"""The dead-letter topic: invalid input is kept, never dropped, and counted.

Each dead letter carries the original bytes and headers naming the reason and where it came from.
Its key is `<topic>:<partition>:<offset>` and the topic is compacted, so the re-delivery of a record
after a crash replaces its earlier dead letter instead of counting it twice: the number of dead
letters is the number of distinct keys, not the topic's message count (which over-counts after
crashes until compaction runs). `DeadLetterPublisher.counts` counts distinct keys too.

A dead letter larger than the dead-letter topic accepts (`max.message.bytes`) would make the
producer refuse it and stop the stream; instead it becomes an `oversize` letter: a bounded prefix
of the original bytes, with the original size, its sha256 and the original reason in headers. The
raw record stays in the raw topic for anyone who needs it whole.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter, OrderedDict
from dataclasses import dataclass
from typing import Any

from confluent_kafka import KafkaError, Message, Producer

from streams.failure import StreamFailure
from streams.limits import KAFKA_DEFAULT_MAX_MESSAGE_BYTES

log = logging.getLogger(__name__)

Headers = list[tuple[str, str | bytes | None]]

OVERSIZE = "oversize"
PREFIX_MAX_BYTES = 64 * 1024  # what an oversize letter keeps of the original value at most
ORIG_HEADERS_MAX_BYTES = 16 * 1024  # original headers beyond this are dropped from an oversize letter
RECORD_OVERHEAD_BYTES = 4096  # record batch + record framing, with room to spare
DETAIL_MAX_BYTES = 8000


@dataclass(frozen=True, slots=True)
class DeadLetter:
    topic: str
    partition: int
    offset: int
    value: bytes
    reason: str  # short code: truncated, bad_marker, unknown_schema, bad_body, contract, cast, oversize
    detail: str  # every problem, with field names
    headers: tuple[tuple[str, str | bytes | None], ...] = ()

    @property
    def key(self) -> str:
        return f"{self.topic}:{self.partition}:{self.offset}"

    def kafka_headers(self) -> Headers:
        own: Headers = [
            ("dlq.reason", self.reason.encode()),
            ("dlq.detail", self.detail.encode()[:DETAIL_MAX_BYTES]),
            ("dlq.source.topic", self.topic.encode()),
            ("dlq.source.partition", str(self.partition).encode()),
            ("dlq.source.offset", str(self.offset).encode()),
        ]
        return own + [(f"orig.{k}", v) for k, v in self.headers]


def _headers_size(headers: Headers) -> int:
    return sum(len(k.encode()) + len(v.encode() if isinstance(v, str) else (v or b"")) + 8 for k, v in headers)


def fit(letter: DeadLetter, max_bytes: int) -> tuple[str, bytes, Headers]:
    """(reason, value, headers) of `letter` as sent to a topic accepting `max_bytes` per record:
    unchanged when it fits, else an `oversize` letter (bounded prefix + original size and sha256)."""
    headers = letter.kafka_headers()
    key_size = len(letter.key.encode())
    if key_size + len(letter.value) + _headers_size(headers) + RECORD_OVERHEAD_BYTES <= max_bytes:
        return letter.reason, letter.value, headers
    orig = [(f"orig.{k}", v) for k, v in letter.headers]
    orig_size = _headers_size(orig)
    kept_orig = orig if orig_size <= ORIG_HEADERS_MAX_BYTES else []
    own: Headers = [
        ("dlq.reason", OVERSIZE.encode()),
        ("dlq.detail", f"{letter.reason}: {letter.detail}".encode()[:DETAIL_MAX_BYTES]),
        ("dlq.original.reason", letter.reason.encode()),
        ("dlq.original.size", str(len(letter.value)).encode()),
        ("dlq.original.sha256", hashlib.sha256(letter.value).hexdigest().encode()),
        ("dlq.original.headers.size", str(orig_size).encode()),
        ("dlq.original.headers.kept", b"1" if kept_orig else b"0"),
        ("dlq.source.topic", letter.topic.encode()),
        ("dlq.source.partition", str(letter.partition).encode()),
        ("dlq.source.offset", str(letter.offset).encode()),
    ]
    headers = own + kept_orig
    room = max_bytes - key_size - _headers_size(headers) - RECORD_OVERHEAD_BYTES
    if room < 0:
        raise ValueError(f"{letter.key}: dead-letter topic limit {max_bytes} B leaves no room for headers")
    prefix = letter.value[: min(PREFIX_MAX_BYTES, room)]
    headers.append(("dlq.prefix.size", str(len(prefix)).encode()))
    return OVERSIZE, prefix, headers


class DeadLetterPublisher:
    def __init__(
        self,
        bootstrap_servers: str,
        topic: str,
        extra: dict[str, Any] | None = None,
        *,
        max_bytes: int = KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
        flush_timeout_s: float = 60.0,
        recent_keys: int = 100_000,
    ) -> None:
        self.topic = topic
        self.max_bytes = max_bytes
        self.flush_timeout_s = flush_timeout_s
        # Distinct letters by (source topic, reason). A re-sent letter (the same source record after
        # a rebalance or restart) counts once, under the reason it was last sent with; it can only be
        # re-sent from the chunk a partition resumes at, so remembering the most recent keys suffices
        # and keeps memory bounded however long the stream runs.
        self._tally: Counter[tuple[str, str]] = Counter()
        self._recent: OrderedDict[str, str] = OrderedDict()  # key -> reason, oldest first
        self.recent_keys = recent_keys
        self._failures: list[tuple[bytes, str]] = []  # (key, error) of letters the broker did not take
        self._producer = Producer(
            {
                "bootstrap.servers": bootstrap_servers,
                "enable.idempotence": True,
                "acks": "all",
                "linger.ms": 5,
                "message.max.bytes": max_bytes,
                "batch.size": min(1_000_000, max_bytes),
                **(extra or {}),
            }
        )

    @property
    def counts(self) -> Counter[str]:
        """Dead letters by reason, one per distinct key (source topic:partition:offset)."""
        counts: Counter[str] = Counter()
        for (_, reason), n in self._tally.items():
            counts[reason] += n
        return +counts

    def counts_by_topic(self) -> Counter[tuple[str, str]]:
        """Distinct dead letters by (source topic, reason)."""
        return +self._tally

    def _count(self, key: str, reason: str) -> None:
        topic = key.rsplit(":", 2)[0]
        before = self._recent.pop(key, None)
        if before is not None:
            self._tally[(topic, before)] -= 1
        self._tally[(topic, reason)] += 1
        self._recent[key] = reason
        if len(self._recent) > self.recent_keys:
            self._recent.popitem(last=False)

    def _on_delivery(self, err: KafkaError | None, msg: Message) -> None:
        if err is not None:
            self._failures.append((msg.key() or b"", err.str()))

    def send(self, letter: DeadLetter) -> None:
        reason, value, headers = fit(letter, self.max_bytes)
        self._count(letter.key, reason)
        log.warning(
            "dead letter",
            extra={"source": letter.key, "reason": reason, "detail": letter.detail[:300], "bytes": len(letter.value)},
        )
        self._producer.produce(
            self.topic, key=letter.key.encode(), value=value, headers=headers, on_delivery=self._on_delivery
        )
        self._producer.poll(0)

    def flush(self, timeout: float | None = None) -> None:
        """Called before source offsets are committed: a dead letter must be durable first.
        Raises StreamFailure naming the source record of the first letter not delivered."""
        timeout = self.flush_timeout_s if timeout is None else timeout
        in_flight = self._producer.flush(timeout)
        if self._failures:
            failures, self._failures = self._failures, []
            key, error = failures[0]
            topic, partition, offset = _source(key)
            raise StreamFailure(topic, partition, offset,
                                f"{len(failures)} dead letters to {self.topic} failed; first: {error}")
        if in_flight:
            raise StreamFailure(self.topic, None, None, f"{in_flight} dead letters still in flight after {timeout}s")


def _source(key: bytes) -> tuple[str, int | None, int | None]:
    """(topic, partition, offset) of a dead letter's key `<topic>:<partition>:<offset>`."""
    topic, _, rest = key.decode(errors="replace").rpartition(":")
    topic, _, partition = topic.rpartition(":")
    try:
        return topic, int(partition), int(rest)
    except ValueError:
        return key.decode(errors="replace"), None, None
