"""Stream worker metrics (docs/metrics.md). Counted at one place, `instrument()` in
build_processors, for both engines: per consumed batch (records in, stored, batch latency), per
dead letter (distinct, by reason, from the publisher), and read from the sinks' own stats at scrape time (files written).
Consumer lag per partition is computed at scrape time: high watermark - the group's committed
offset, so it is the lag that would be re-read after a crash, and costs the hot path nothing."""

from __future__ import annotations

import time
from collections import Counter as CountOf
from collections.abc import Iterator, Sequence
from dataclasses import fields
from typing import Any

from prometheus_client import REGISTRY, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from sinks.chunk_sink import Committable
from streams.dead_letter import DeadLetterPublisher
from streams.processor import Incoming, Processor

RECORDS_IN = Counter("finops_stream_records_in", "Records consumed", ["topic"])
STORED = Counter("finops_stream_records_stored", "Valid records handed to the sink", ["topic"])
BATCH = Histogram("finops_stream_batch_seconds", "Time to process one consumed batch of a "
                  "partition (decode, contract, cast, sink)", ["topic"],
                  buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))


class _DeadLetters(Collector):
    """finops_stream_dead_letters{topic,reason}: distinct source records dead-lettered, read from
    the publisher at scrape time, so a letter re-sent after a rebalance counts once and an
    oversized one counts as `oversize` (the reason it was sent with)."""

    def __init__(self) -> None:
        self.publishers: list[DeadLetterPublisher] = []

    def collect(self) -> Iterator[Any]:
        dead = CounterMetricFamily("finops_stream_dead_letters", "Distinct records dead-lettered",
                                   labels=["topic", "reason"])
        total: CountOf[tuple[str, str]] = CountOf()
        for publisher in self.publishers:
            total.update(publisher.counts_by_topic())
        for (topic, reason), n in sorted(total.items()):
            dead.add_metric([topic, reason], n)
        yield dead


_DEAD = _DeadLetters()
REGISTRY.register(_DEAD)


def watch_dead_letters(publisher: DeadLetterPublisher) -> DeadLetterPublisher:
    _DEAD.publishers.append(publisher)
    return publisher


class MeteredProcessor(Processor):
    """The same processor, timed and counted per batch."""

    def __init__(self, base: Processor, topic: str) -> None:
        # every field of the base, by name: the same state whatever fields Processor grows
        super().__init__(**{f.name: getattr(base, f.name) for f in fields(base) if f.init})
        self._in = RECORDS_IN.labels(topic)
        self._stored = STORED.labels(topic)
        self._seconds = BATCH.labels(topic)

    def process(self, topic: str, partition: int, batch: Sequence[Incoming]) -> list[Committable]:
        t0, valid = time.perf_counter(), self.stats.valid
        done = super().process(topic, partition, batch)
        self._seconds.observe(time.perf_counter() - t0)
        self._in.inc(len(batch))
        self._stored.inc(self.stats.valid - valid)
        return done


class _SinkFiles(Collector):
    def __init__(self) -> None:
        self.processors: dict[str, Processor] = {}

    def collect(self) -> Iterator[Any]:
        files = CounterMetricFamily("finops_stream_files_written",
                                    "Parquet/Iceberg files written (each rewrite of an open chunk "
                                    "counts)", labels=["topic"])
        for topic, proc in sorted(self.processors.items()):
            files.add_metric([topic], proc.sink.stats.files_written)
        yield files


_FILES = _SinkFiles()
REGISTRY.register(_FILES)


def instrument(processors: dict[str, Processor]) -> dict[str, Processor]:
    out: dict[str, Processor] = {t: MeteredProcessor(p, t) for t, p in processors.items()}
    _FILES.processors.update(out)
    return out


class ConsumerLag(Collector):
    """finops_stream_consumer_lag{topic,partition} = high watermark - committed offset."""

    def __init__(self, bootstrap: str, group: str, topics: list[str]) -> None:
        self.bootstrap, self.group, self.topics = bootstrap, group, topics
        self._consumer: Any = None

    def collect(self) -> Iterator[Any]:
        from confluent_kafka import Consumer, KafkaException, TopicPartition

        lag = GaugeMetricFamily("finops_stream_consumer_lag", "Records not yet committed by "
                                "the group (high watermark - committed offset)",
                                labels=["topic", "partition"])
        try:
            if self._consumer is None:
                self._consumer = Consumer({"bootstrap.servers": self.bootstrap,
                                           "group.id": self.group, "enable.auto.commit": False})
            meta = self._consumer.list_topics(timeout=5)
            tps = [TopicPartition(t, p) for t in self.topics if t in meta.topics
                   for p in sorted(meta.topics[t].partitions)]
            committed = self._consumer.committed(tps, timeout=5)
            for tp in committed:
                high = self._consumer.get_watermark_offsets(tp, timeout=5, cached=False)[1]
                done = tp.offset if tp.offset >= 0 else 0
                lag.add_metric([tp.topic, str(tp.partition)], max(0, high - done))
        except KafkaException:
            pass  # broker unreachable: no sample this scrape, rather than a wrong one
        yield lag


def watch_lag(bootstrap: str, group: str, topics: list[str]) -> None:
    REGISTRY.register(ConsumerLag(bootstrap, group, topics))
