"""Read a whole topic, to the end of every partition: what tests and tools check topics with.

read_committed, so records of aborted or open transactions are never seen (the jobs' lifecycle
topics are transactional); plain topics read the same either way.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, TopicPartition


@dataclass(frozen=True, slots=True)
class Record:
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: dict[str, bytes]


def read_topic(bootstrap: str, topic: str, *, max_polls: int = 2000,
               committed: bool = True) -> list[Record]:
    """Every record of `topic`, in offset order within each partition (`committed=False`: also
    those of aborted and open transactions)."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"reader-{uuid.uuid4().hex[:8]}",
                  "isolation.level": "read_committed" if committed else "read_uncommitted", "enable.partition.eof": True,
                  "enable.auto.commit": False})
    out: list[Record] = []
    try:
        meta = c.list_topics(topic, timeout=30).topics[topic]
        if meta.error is not None:
            raise RuntimeError(f"topic {topic}: {meta.error}")
        c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in meta.partitions])
        pending = set(meta.partitions)
        for _ in range(max_polls):  # polls, not a deadline
            if not pending:
                break
            for msg in c.consume(1000, timeout=0.5):
                err = msg.error()
                if err is not None:
                    if err.code() != KafkaError._PARTITION_EOF:
                        raise RuntimeError(f"{topic}[{msg.partition()}]: {err}")
                    pending.discard(msg.partition())
                    continue
                out.append(Record(msg.partition() or 0, msg.offset() or 0, msg.key(),
                                  msg.value(), dict(msg.headers() or [])))
        if pending:
            raise TimeoutError(f"{topic}: partitions {sorted(pending)} never reached their end")
    finally:
        c.close()
    return out
