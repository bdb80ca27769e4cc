"""`finops stream`: run one stream worker (a member of consumer group finops-stream)."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from common.metrics import add_metrics_port, serve_metrics
from common.settings import DATA_DIR, bootstrap_servers
from finops.logs import dict_config
from schemas.topics import (
    DEFAULT_PARTITIONS,
    DLQ_TOPIC,
    FINDINGS_TOPIC,
    RAW_TOPIC,
    SCANS_TOPIC,
    ensure_topics,
)
from sinks.chunk_sink import DEFAULT_CHUNK_RECORDS

if TYPE_CHECKING:
    from streams.app import StreamSettings

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "stream",
        help="run the stream processor (faust worker): raw findings -> Parquet + dead letters",
        description="Consume the raw finding topic as consumer group finops-stream; validate, "
        "canonicalize, fingerprint, cast; write hive-partitioned Parquet; dead-letter the rest.",
    )
    p.add_argument("--bootstrap", default=None, help="Kafka bootstrap servers (default: env or local broker)")
    p.add_argument("--topic", default=RAW_TOPIC, help=f"raw finding topic (default {RAW_TOPIC})")
    p.add_argument("--dlq-topic", default=DLQ_TOPIC)
    p.add_argument("--scans-topic", default=SCANS_TOPIC)
    p.add_argument("--findings-topic", default=FINDINGS_TOPIC,
                   help=f"publish every stored finding here, after its Parquet is durable "
                        f"(default {FINDINGS_TOPIC}; docs/consumers.md)")
    p.add_argument("--no-findings-topic", action="store_true", help="do not publish stored findings")
    p.add_argument("--no-scans", action="store_true", help="do not consume scan summaries")
    p.add_argument("--group", default="finops-stream", help="consumer group id")
    p.add_argument("--out", type=Path, default=DATA_DIR / "findings", help="Parquet root for findings")
    p.add_argument("--scans-out", type=Path, default=DATA_DIR / "scans")
    p.add_argument("--data-dir", type=Path, default=DATA_DIR,
                   help="the worker's own state (faust: <data-dir>/faust/<group>; default FINOPS_DATA_DIR or data/)")
    p.add_argument("--partitions", type=int, default=DEFAULT_PARTITIONS, help="partitions of topics it creates")
    p.add_argument("--chunk-records", type=int, default=DEFAULT_CHUNK_RECORDS, help="offsets per Parquet file (the grid)")
    p.add_argument("--batch-max", type=int, default=5_000)
    p.add_argument("--batch-within", type=float, default=0.5, help="seconds before a partial batch")
    p.add_argument(
        "--engine",
        default="faust",
        choices=["faust", "kafka"],
        help="faust: the faust-streaming app (default); kafka: the same processing as a plain "
        "confluent-kafka group member (several times faster, see README Performance)",
    )
    p.add_argument(
        "--max-open-age",
        type=float,
        default=2.0,
        help="seconds: open chunks are shown (and committed) at least this often under steady input",
    )
    p.add_argument(
        "--sink",
        default="parquet",
        choices=["parquet", "iceberg"],
        help="parquet: files under --out (default); iceberg: tables finops.findings/finops.scans, "
        "exactly once through offsets in the snapshot summaries (docs/iceberg.md)",
    )
    p.add_argument("--iceberg-dir", type=Path, default=DATA_DIR / "iceberg",
                   help="home of the embedded SQLite catalog and warehouse (unless a 'finops' catalog is configured)")
    p.add_argument(
        "--max-message-bytes", type=int, default=0,
        help="largest message of the consumed topics (default 0: their max.message.bytes on the broker)",
    )
    p.add_argument(
        "--dlq-max-message-bytes", type=int, default=0,
        help="largest dead letter (default 0: the DLQ topic's max.message.bytes); larger ones become 'oversize'",
    )
    p.add_argument("--dlq-bootstrap", default="", help="cluster of the dead-letter topic (default: the source's)")
    p.add_argument(
        "--dlq-timeout", type=float, default=120.0,
        help="seconds a dead letter may take to be delivered, retries included; past that the worker "
        "stops with exit code 70 and commits nothing further (fail-stop)",
    )
    p.add_argument("--idle-flush", type=float, default=1.0, help="seconds of quiet before open chunks are shown")
    p.add_argument(
        "--session-timeout",
        type=float,
        default=10.0,
        help="seconds without heartbeats before the group drops this member (a killed worker's partitions move after this)",
    )
    add_metrics_port(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import faust

    from streams.app import create_app

    bootstrap = args.bootstrap or bootstrap_servers()
    ensure_topics(
        bootstrap,
        {args.topic: args.partitions, args.dlq_topic: args.partitions, args.scans_topic: args.partitions},
        compacted=frozenset({args.dlq_topic}),
    )
    findings_topic = "" if args.no_findings_topic else args.findings_topic
    if findings_topic:
        ensure_topics(bootstrap, {findings_topic: args.partitions})
    settings = settings_from_args(args, bootstrap)
    if args.metrics_port is not None:
        from streams.metrics import watch_lag

        watch_lag(bootstrap, settings.group_id, settings.source_topics())
        serve_metrics(args.metrics_port)
    if args.engine == "kafka":
        from streams.kafka_worker import run_worker

        log.info("kafka-engine worker starting", extra={"bootstrap": bootstrap, "topic": args.topic})
        return run_worker(settings)
    app = create_app(settings)
    log.info("stream worker starting", extra={"bootstrap": bootstrap, "topic": args.topic, "out": str(args.out)})
    level = logging.getLevelName(logging.getLogger().level)
    worker = faust.Worker(
        app, loglevel=level, quiet=True, logging_config=dict_config(level, args.log_format)
    )
    worker.execute_from_commandline()
    return 0


def settings_from_args(args: argparse.Namespace, bootstrap: str) -> StreamSettings:
    """The worker's settings from `finops stream`'s arguments."""
    from streams.app import StreamSettings

    return StreamSettings(
        bootstrap=bootstrap,
        group_id=args.group,
        raw_topic=args.topic,
        dlq_topic=args.dlq_topic,
        scans_topic=args.scans_topic,
        out_dir=args.out,
        scans_dir=args.scans_out,
        chunk_records=args.chunk_records,
        batch_max=args.batch_max,
        batch_within_s=args.batch_within,
        idle_flush_s=args.idle_flush,
        max_open_age_s=args.max_open_age,
        partitions=args.partitions,
        with_scans=not args.no_scans,
        source_max_bytes=args.max_message_bytes,
        dlq_max_bytes=args.dlq_max_message_bytes,
        findings_topic="" if args.no_findings_topic else args.findings_topic,
        session_timeout_s=args.session_timeout,
        dlq_bootstrap=args.dlq_bootstrap,
        dlq_timeout_s=args.dlq_timeout,
        sink=args.sink,
        iceberg_dir=args.iceberg_dir,
        data_dir=args.data_dir,
    )
