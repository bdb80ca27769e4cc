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
from collections.abc import Callable, Sequence
from types import FrameType

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition

from sinks.chunk_sink import Committable
from streams.app import StreamSettings, bound_memory, build_processors
from streams.failure import EXIT_FAILED, report
from streams.processor import Incoming, Processor, from_confluent

log = logging.getLogger(__name__)


# Commit errors after which the same offsets may be committed again later (rebalance, coordinator
# moving, timeouts): the commit is kept pending and retried, never dropped.
_COMMIT_LATER = {
    KafkaError.REBALANCE_IN_PROGRESS,
    KafkaError.ILLEGAL_GENERATION,
    KafkaError.UNKNOWN_MEMBER_ID,
    KafkaError.NOT_COORDINATOR,
    KafkaError.COORDINATOR_NOT_AVAILABLE,
    KafkaError.COORDINATOR_LOAD_IN_PROGRESS,
    KafkaError.REQUEST_TIMED_OUT,
    KafkaError._TIMED_OUT,
    KafkaError._TRANSPORT,
    KafkaError._WAIT_COORD,
    KafkaError._NO_OFFSET,
}


class KafkaWorker:
    def __init__(self, settings: StreamSettings) -> None:
        self.settings = settings
        bound_memory()
        bootstrap = settings.bootstrap
        limits = settings.limits()
        self.dlq = settings.dead_letter_publisher(limits)
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
        # durable offsets not yet committed: (topic, partition) -> next offset to commit. Kept
        # until a commit succeeds or the partition is revoked (its new owner re-reads them).
        self.pending: dict[tuple[str, int], int] = {}
        self.commit_failures = 0
        self.failed = False  # once set, nothing is committed any more (not even on revoke or close)

    def _on_revoke(self, consumer: Consumer, partitions: Sequence[TopicPartition]) -> None:
        revoked = {(tp.topic, tp.partition) for tp in partitions}
        if not self.failed and any(tp in self.pending for tp in revoked):
            self._commit_pending(only=revoked)  # still ours inside the callback: last chance
        for tp in partitions:
            self.pending.pop((tp.topic, tp.partition), None)
            proc = self.processors.get(tp.topic)
            if proc is not None:
                proc.sink.drop_partition(tp.topic, tp.partition)
        log.info("partitions revoked", extra={"partitions": [f"{t.topic}[{t.partition}]" for t in partitions]})

    def _on_assign(self, consumer: Consumer, partitions: Sequence[TopicPartition]) -> None:
        log.info("partitions assigned", extra={"partitions": [f"{t.topic}[{t.partition}]" for t in partitions]})

    def _commit(self, done: list[Committable]) -> None:
        """Make `done` committed: dead letters durable first, then the offsets (retried later when
        the commit fails for a passing reason; see `_commit_pending`)."""
        if not done and not self.pending:
            return
        if done:
            self.dlq.flush()  # dead letters durable before their offsets commit (StreamFailure if not)
        for d in done:
            tp = (d.topic, d.partition)
            self.pending[tp] = max(self.pending.get(tp, 0), d.through_offset + 1)
        self._commit_pending()

    def _commit_pending(self, only: set[tuple[str, int]] | None = None) -> bool:
        """Commit what is pending (or its `only` partitions); False when it must be tried again."""
        todo = {tp: o for tp, o in self.pending.items() if only is None or tp in only}
        if not todo:
            return True
        offsets = [TopicPartition(t, p, o) for (t, p), o in sorted(todo.items())]
        try:
            self.consumer.commit(offsets=offsets, asynchronous=False)
        except KafkaException as exc:
            err = exc.args[0] if exc.args else None
            code = err.code() if isinstance(err, KafkaError) else None
            if code not in _COMMIT_LATER and not (isinstance(err, KafkaError) and err.retriable()):
                raise
            self.commit_failures += 1
            log.warning("commit failed; kept pending and retried", extra={"error": str(exc), "offsets": len(offsets)})
            return False
        for tp, o in todo.items():
            if self.pending.get(tp) == o:
                del self.pending[tp]
        return True

    def _seek_back(self, proc: Processor) -> None:
        """Seek partitions whose batches came past a gap to the offset the sink needs next."""
        for (topic, partition), offset in sorted(proc.sink.take_seeks().items()):
            log.warning("partition sought back to the offset the sink needs",
                        extra={"topic": topic, "partition": partition, "offset": offset})
            self.consumer.seek(TopicPartition(topic, partition, offset))

    def _in_log(self, topic: str, partition: int, offset: int) -> bool:
        """Whether the partition's log already holds `offset` (the high watermark of the last fetch)."""
        _, high = self.consumer.get_watermark_offsets(TopicPartition(topic, partition), cached=True)
        return high is not None and high > offset

    def stop(self, *_: object) -> None:
        self._running = False

    def run(self, max_idle_s: float | None = None) -> None:
        """Consume until stopped. On any failure (StreamFailure or other) nothing more is committed:
        the exception propagates and the consumer closes without a commit."""
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
                    self._seek_back(self.processors[topic])
                self._commit(done)
                now = time.monotonic()
                if msgs:
                    last_data = now
                    consumed += len(msgs)
                if (msgs and now - last_open_flush >= s.max_open_age_s) or (
                    not msgs and now - last_data >= s.idle_flush_s
                ):
                    last_open_flush = now
                    self._flush_open(skip=self._in_log if msgs else None)
                    if max_idle_s is not None and now - last_data >= max_idle_s:
                        break
            self._flush_open()
            for _ in range(20):  # a clean stop: pending commits get a few more tries
                if self._commit_pending():
                    break
                time.sleep(0.5)
        except BaseException:
            self.failed = True
            log.error("kafka worker failed: closing without committing", extra={"pending": len(self.pending)})
            raise
        finally:
            self.consumer.close()
            log.info("kafka worker stopped", extra={"consumed": consumed, "commit_failures": self.commit_failures,
                                                    "dead_letters": dict(sorted(self.dlq.counts.items()))})

    def _flush_open(self, skip: Callable[[str, int, int], bool] | None = None) -> None:
        for _, proc in sorted(self.processors.items()):
            self._commit(proc.flush_open(skip))

def run_worker(settings: StreamSettings) -> int:
    """Run a worker until SIGTERM/SIGINT (exit 0) or a failure (logged, EXIT_FAILED)."""
    worker = KafkaWorker(settings)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        worker.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        worker.run()
    except Exception as exc:  # noqa: BLE001 - every failure ends the worker the same way
        report(exc)
        return EXIT_FAILED
    return 0
