"""The same stream worker without faust: a confluent-kafka consumer-group member.

Why a second engine: profiling the faust worker (see the README's Performance section) shows its
per-message path — one `wait_first` future per record in the fetcher, per-event acks — costing more
than all our own per-record work. This engine keeps every guarantee of the faust one (consumer
group `finops-stream`, commit only what is durable, dead letters flushed first, chunks resumed from
disk) with batch consumption and explicit commits. Both run the same Processor and ChunkSink, so
their Parquet is byte-identical, which the tests check.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Sequence
from types import FrameType

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition

from sinks.chunk_sink import Committable
from streams.app import StreamSettings, build_processors
from streams.dead_letter import DeadLetterPublisher
from streams.processor import Incoming, Processor, from_confluent

log = logging.getLogger(__name__)


class KafkaWorker:
    def __init__(self, settings: StreamSettings) -> None:
        self.settings = settings
        bootstrap = settings.bootstrap
        limits = settings.limits()
        self.dlq = DeadLetterPublisher(bootstrap, settings.dlq_topic, max_bytes=limits.dlq_max_bytes)
        self.processors: dict[str, Processor] = build_processors(settings, self.dlq.send)
        self.consumer = Consumer(
            {
                "bootstrap.servers": bootstrap,
                "group.id": settings.group_id,
                "enable.auto.commit": False,
                "auto.offset.reset": "earliest",
                "session.timeout.ms": int(settings.session_timeout_s * 1000),
                "heartbeat.interval.ms": int(min(3.0, settings.session_timeout_s / 3) * 1000),
                "partition.assignment.strategy": "cooperative-sticky",
                **limits.confluent_consumer(),  # fetches hold the largest message the topics accept
            }
        )
        self._running = True

    def _on_revoke(self, consumer: Consumer, partitions: Sequence[TopicPartition]) -> None:
        for tp in partitions:
            proc = self.processors.get(tp.topic)
            if proc is not None:
                proc.sink.drop_partition(tp.topic, tp.partition)
        log.info("partitions revoked", extra={"partitions": [f"{t.topic}[{t.partition}]" for t in partitions]})

    def _on_assign(self, consumer: Consumer, partitions: Sequence[TopicPartition]) -> None:
        log.info("partitions assigned", extra={"partitions": [f"{t.topic}[{t.partition}]" for t in partitions]})

    def _commit(self, done: list[Committable]) -> None:
        if not done:
            return
        self.dlq.flush()  # dead letters durable before their offsets commit
        offsets = [TopicPartition(d.topic, d.partition, d.through_offset + 1) for d in done]
        try:
            self.consumer.commit(offsets=offsets, asynchronous=False)
        except KafkaException as exc:
            # e.g. the partition moved to another member meanwhile: it re-reads, nothing is lost
            log.warning("commit failed", extra={"error": str(exc), "offsets": len(offsets)})

    def _in_log(self, topic: str, partition: int, offset: int) -> bool:
        """Whether the partition's log already holds `offset` (the high watermark of the last fetch)."""
        _, high = self.consumer.get_watermark_offsets(TopicPartition(topic, partition), cached=True)
        return high is not None and high > offset

    def stop(self, *_: object) -> None:
        self._running = False

    def run(self, max_idle_s: float | None = None) -> None:
        s = self.settings
        self.consumer.subscribe(sorted(self.processors), on_assign=self._on_assign, on_revoke=self._on_revoke)
        last_data = last_open_flush = time.monotonic()
        consumed = 0
        try:
            while self._running:
                msgs = self.consumer.consume(s.batch_max, timeout=s.batch_within_s)
                batches: dict[tuple[str, int], list[Incoming]] = {}
                for m in msgs:
                    err = m.error()
                    if err is not None:
                        if err.code() == KafkaError._PARTITION_EOF:
                            continue
                        raise KafkaException(err)
                    topic, partition, incoming = from_confluent(m)
                    batches.setdefault((topic, partition), []).append(incoming)
                done: list[Committable] = []
                for (topic, partition), batch in sorted(batches.items()):
                    done += self.processors[topic].process(topic, partition, batch)
                self._commit(done)
                now = time.monotonic()
                if msgs:
                    last_data = now
                    consumed += len(msgs)
                if (msgs and now - last_open_flush >= s.max_open_age_s) or (
                    not msgs and now - last_data >= s.idle_flush_s
                ):
                    last_open_flush = now
                    for proc in self.processors.values():
                        self._commit(proc.sink.flush_open(skip=self._in_log if msgs else None))
                    if max_idle_s is not None and now - last_data >= max_idle_s:
                        break
        finally:
            for proc in self.processors.values():
                self._commit(proc.sink.flush_open())
            self.consumer.close()
            log.info("kafka worker stopped", extra={"consumed": consumed})


def run_worker(settings: StreamSettings) -> None:
    worker = KafkaWorker(settings)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        worker.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    worker.run()
