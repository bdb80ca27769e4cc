"""The faust-streaming application: consumer group `finops-stream` over the finding topics.

More workers = more members of the consumer group; more throughput = more partitions. Offsets are
committed by faust only for acked events, and the agents ack an event only once the Parquet file
holding it is durable (see `streams.agents`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import faust

from common.settings import DATA_DIR, bootstrap_servers
from schemas.topics import DLQ_TOPIC, RAW_TOPIC, SCANS_TOPIC
from sinks.chunk_sink import DEFAULT_CHUNK_RECORDS
from streams.dead_letter import DeadLetter, DeadLetterPublisher
from streams.limits import MessageLimits, resolve_limits
from streams.processor import Processor, processor_for

GROUP_ID = "finops-stream"


def bound_memory() -> None:
    """Arrow buffers from the system allocator in a worker process (unless
    ARROW_DEFAULT_MEMORY_POOL chooses): pyarrow's default, mimalloc, keeps what a chunk write
    freed (the concatenated, sorted and split copies of each 10,000-row chunk) for reuse, which
    measured 60-70 MB more peak RSS in a kafka-engine drain than the system allocator, at no
    measurable CPU cost (in-process Processor, 100k findings)."""
    import os

    import pyarrow as pa

    if not os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        pa.set_memory_pool(pa.system_memory_pool())


@dataclass(frozen=True)
class StreamSettings:
    bootstrap: str = ""
    group_id: str = GROUP_ID
    raw_topic: str = RAW_TOPIC
    dlq_topic: str = DLQ_TOPIC
    scans_topic: str = SCANS_TOPIC
    out_dir: Path = DATA_DIR / "findings"
    scans_dir: Path = DATA_DIR / "scans"
    chunk_records: int = DEFAULT_CHUNK_RECORDS
    batch_max: int = 5_000  # events per take() batch
    batch_within_s: float = 0.5  # a partial batch is handed over after this long
    idle_flush_s: float = 1.0  # open chunks become visible after this much quiet
    # ... and under steady input at least this often (freshness; the cut stays data-driven)
    max_open_age_s: float = 2.0
    partitions: int = 6
    with_scans: bool = True
    # A SIGKILLed member holds its partitions until the broker stops hearing from it: keep that
    # short so a restarted worker takes over within seconds (Kafka's default is 45 s).
    session_timeout_s: float = 10.0
    # Message-size limits (bytes; 0 = the topic's own max.message.bytes, read from the broker):
    # consumers fetch the largest message the source topics accept, dead letters fit the DLQ topic.
    source_max_bytes: int = 0
    dlq_max_bytes: int = 0
    # Dead letters: their cluster (empty: the source's) and how long one may take to be delivered
    # (retries included); past that the worker stops (fail-stop) instead of committing around it.
    dlq_bootstrap: str = ""
    dlq_timeout_s: float = 120.0
    findings_topic: str = ""  # publish stored findings here (streams/publish.py); "" = do not
    sink: str = "parquet"  # or "iceberg": tables finops.findings / finops.scans (streams.iceberg_processor)
    iceberg_dir: Path = DATA_DIR / "iceberg"  # the embedded catalog's home, unless one is configured
    # The worker's own state (faust's datadir: <data_dir>/faust/<group>), never the current directory
    # (faust's default, `<app-id>-data/`, littered whatever directory a worker was started from).
    data_dir: Path = DATA_DIR

    def faust_datadir(self) -> Path:
        return self.data_dir / "faust" / self.group_id

    def broker_url(self) -> str:
        servers = (self.bootstrap or bootstrap_servers()).split(",")
        return ";".join(f"kafka://{s.strip()}" for s in servers)

    def source_topics(self) -> list[str]:
        return [self.raw_topic] + ([self.scans_topic] if self.with_scans else [])

    def limits(self) -> MessageLimits:
        return resolve_limits(
            self.bootstrap or bootstrap_servers(), self.source_topics(), self.dlq_topic,
            source_max_bytes=self.source_max_bytes, dlq_max_bytes=self.dlq_max_bytes,
            dlq_bootstrap=self.dlq_bootstrap,
        )

    def dead_letter_publisher(self, limits: MessageLimits) -> DeadLetterPublisher:
        from streams.metrics import watch_dead_letters

        return watch_dead_letters(DeadLetterPublisher(
            self.dlq_bootstrap or self.bootstrap or bootstrap_servers(),
            self.dlq_topic,
            {"message.timeout.ms": int(self.dlq_timeout_s * 1000)},
            max_bytes=limits.dlq_max_bytes,
            flush_timeout_s=self.dlq_timeout_s + 10.0,
        ))


def build_processors(
    settings: StreamSettings, on_dead: Callable[[DeadLetter], None]
) -> dict[str, Processor]:
    """topic -> processor: what both stream engines consume and how they store it."""
    from streams.metrics import instrument

    if settings.sink == "iceberg":
        from streams.iceberg_processor import iceberg_processors

        processors = iceberg_processors(settings, on_dead)
    else:
        processors = {settings.raw_topic: processor_for("finding", settings.out_dir, settings.chunk_records, on_dead)}
        if settings.with_scans:
            processors[settings.scans_topic] = processor_for(
                "scan", settings.scans_dir, settings.chunk_records, on_dead
            )
    if settings.findings_topic:  # the publish step (streams/publish.py), for either sink
        from streams.publish import publishing

        publishing(processors[settings.raw_topic], settings.bootstrap or bootstrap_servers(),
                   settings.findings_topic)
    return instrument(processors)


class StreamApp(faust.App):
    """faust.App on the transport with the cheaper fetcher -> agent hand-over (`streams.faust_transport`)."""

    def _new_transport(self) -> faust.types.TransportT:
        from streams.faust_transport import FastHandoverTransport

        return FastHandoverTransport(self.conf.broker_consumer, self)


def create_app(settings: StreamSettings) -> faust.App:
    bound_memory()
    limits = settings.limits()
    settings.faust_datadir().mkdir(parents=True, exist_ok=True)  # faust makes only the last level
    app = StreamApp(
        settings.group_id,
        broker=settings.broker_url(),
        value_serializer="raw",
        key_serializer="raw",
        store="memory://",
        datadir=str(settings.faust_datadir()),
        web_enabled=False,
        consumer_auto_offset_reset="earliest",
        stream_wait_empty=False,
        broker_commit_interval=0.5,
        topic_allow_declare=False,
        topic_disable_leader=True,
        topic_partitions=settings.partitions,
        stream_buffer_maxsize=max(4096, settings.batch_max * 2),
        # records per fetcher hand-over (aiokafka getmany): unset, one call decodes everything
        # prefetched for every partition at once (tens of thousands of records, memory)
        broker_max_poll_records=settings.batch_max,
        consumer_max_fetch_size=limits.partition_fetch_bytes,  # else aiokafka skips a larger record
        autodiscover=False,
        broker_session_timeout=settings.session_timeout_s,
        # faust refuses a session timeout above the request timeout (default 90 s)
        broker_request_timeout=max(90.0, settings.session_timeout_s + 30.0),
        broker_heartbeat_interval=min(3.0, settings.session_timeout_s / 3),
    )
    from streams.agents import install_agents

    install_agents(app, settings, limits)
    return app
