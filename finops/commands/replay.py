"""`finops replay`: rebuild a topic's Parquet from Kafka offsets into a directory."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from common.settings import bootstrap_servers
from schemas.topics import RAW_TOPIC
from sinks.chunk_sink import DEFAULT_CHUNK_RECORDS


def _offsets(text: str) -> dict[int, int]:
    """`0:100,1:250` -> {0: 100, 1: 250}; a bare number applies to partition 0."""
    out: dict[int, int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        if ":" in part:
            p, o = part.split(":", 1)
            out[int(p)] = int(o)
        else:
            out[0] = int(part)
    return out


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "replay",
        help="rebuild Parquet from a topic's offsets (byte-identical to the live stream)",
        description="Re-read a topic from given offsets (or the beginning) into an output directory "
        "with the stream's own processing; prints a JSON summary.",
    )
    p.add_argument("--bootstrap", default=None)
    p.add_argument("--topic", default=RAW_TOPIC)
    p.add_argument("--schema", default="finding", choices=["finding", "scan"])
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--from-offset", type=_offsets, help="partition:offset,… (e.g. 0:0,1:5000)")
    where.add_argument("--from-beginning", action="store_true")
    p.add_argument("--out", type=Path, required=True, help="output directory (should be empty)")
    p.add_argument("--chunk-records", type=int, default=DEFAULT_CHUNK_RECORDS, help="must match the live stream's")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from streams.replay import replay

    result = replay(
        args.bootstrap or bootstrap_servers(),
        args.topic,
        args.out,
        from_offsets=None if args.from_beginning else args.from_offset,
        schema=args.schema,
        chunk_records=args.chunk_records,
    )
    summary = {
        "topic": result.topic,
        "out": str(args.out),
        "consumed": result.consumed,
        "valid": result.valid,
        "dead_letters": len(result.dead_letters),
        "files_written": result.files_written,
        "start": result.start,
        "end": result.end,
    }
    print(json.dumps(summary, indent=2, sort_keys=True))
    return 0
