"""End-to-end stress run through the real broker, with every output kept under --workdir.

    python -m tools.stress.stress_engine --n 200000 --workdir .stress --clean

Produce synthetic findings (a share of them broken) -> Kafka -> `finops stream` worker process ->
Parquet + dead letters; then verify: rows = valid input, dead letters = invalid input (by reason),
no duplicates, fingerprints stable under shuffled and re-serialized input, one Arrow schema across
all files, and a replay from offset 0 byte-identical to the live output.

With `--sink iceberg` the worker appends to the Iceberg table under <workdir>/iceberg instead and the
same checks run against the table: its rows, its schema against the contract, and a replay's
Parquet equal to the table's rows (content; the files of a table are not named by offsets).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from contracts.canonical import canonicalize_record
from contracts.identity import fingerprint
from contracts.schema import FINDING_SCHEMA
from schemas.wire import Decoder
from sinks.chunk_sink import DEFAULT_CHUNK_RECORDS
from streams.replay import replay
from tools.stress import harness
from tools.stress.generator import Message, generate


def _say(msg: str) -> None:
    print(f"[stress {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def reshuffled_fingerprints(messages: list[Message], seed: int) -> set[str]:
    """Fingerprints recomputed from re-serialized, reordered, re-cased copies of the valid input."""
    rng = random.Random(seed)
    decoder = Decoder()
    out = set()
    valid = [m for m in messages if m.valid]
    rng.shuffle(valid)
    for m in valid:
        _, rec = decoder.decode(m.value)
        rec = json.loads(json.dumps(rec, default=str))  # re-serialized
        items = list(rec.items())
        rng.shuffle(items)
        rec = dict(items)
        tags = list(rec["tags"].items())
        rng.shuffle(tags)
        rec["tags"] = dict(tags)
        rec["region"] = f"  {rec['region'].upper()} "
        rec["tenant_id"] = rec["tenant_id"].upper()
        out.add(fingerprint(canonicalize_record(rec)))
    return out


def schema_merge_ok(root: Path) -> tuple[bool, str]:
    import pyarrow as pa

    schemas = [pq.read_schema(p) for p in sorted(root.rglob("*.parquet"))]
    if not schemas:
        return False, "no files"
    for s in schemas:
        if not s.equals(FINDING_SCHEMA, check_metadata=False):
            return False, f"a file's schema differs: {s}"
    unified = pa.unify_schemas(schemas)
    return unified.equals(FINDING_SCHEMA, check_metadata=False), f"{len(schemas)} file schemas unify"


def table_schema_ok(root: Path) -> tuple[bool, str]:
    """The Iceberg table's schema read back as Arrow agrees with the contract, field by field."""
    import pyarrow as pa

    from sinks.iceberg_tables import FINDINGS, ensure_table, open_catalog

    got = ensure_table(open_catalog(root), FINDINGS).schema().as_arrow()
    try:
        empty = pa.Table.from_batches([], got).cast(FINDING_SCHEMA)
    except (pa.ArrowInvalid, KeyError, ValueError) as exc:
        return False, f"table schema does not cast to the contract: {exc}"
    nullable = [f.name for f in FINDING_SCHEMA if got.field(f.name).nullable != f.nullable]
    ok = got.names == FINDING_SCHEMA.names and not nullable and empty.schema.equals(FINDING_SCHEMA)
    return ok, f"table schema: {len(got.names)} fields; nullability differs for {nullable or 'none'}"


def same_rows(rows: Any, parquet_root: Path) -> bool:
    """The table's rows equal a Parquet tree's rows (both sorted by their Kafka position)."""
    import duckdb

    from contracts.schema import SORT_KEY

    files = sorted(str(p) for p in parquet_root.rglob("*.parquet"))
    other = duckdb.connect().sql(
        "select * from read_parquet($f, hive_partitioning=false)", params={"f": files}
    ).to_arrow_table().cast(FINDING_SCHEMA)
    order = [(k, "ascending") for k in SORT_KEY]
    return bool(rows.sort_by(order).equals(other.sort_by(order)))


def local_bootstrap(stack: ExitStack, workdir: Path) -> str:
    import os

    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        return os.environ["KAFKA_BOOTSTRAP_SERVERS"]
    from finops.broker import ensure_dev_broker

    return ensure_dev_broker(stack)


def run(args: argparse.Namespace) -> dict[str, Any]:
    workdir: Path = args.workdir.resolve()
    if args.clean and workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {"n": args.n, "invalid_share": args.invalid_share, "seed": args.seed}
    with ExitStack() as stack:
        bootstrap = args.bootstrap or local_bootstrap(stack, workdir)
        topics = harness.Topics.unique("stress")
        topics.create(bootstrap, args.partitions)
        report["topics"] = topics.__dict__
        _say(f"broker {bootstrap}; topics {topics.raw} / {topics.dlq}")

        t0 = time.monotonic()
        messages = list(generate(args.n, seed=args.seed, invalid_share=args.invalid_share))
        expected_valid = sum(m.valid for m in messages)
        expected_reasons = harness.reason_counts(messages)
        _say(f"generated {len(messages)} messages ({expected_valid} valid) in {time.monotonic() - t0:.1f}s")

        out = workdir / ("iceberg" if args.sink == "iceberg" else "parquet")
        worker = harness.StreamWorker(bootstrap, topics, out, workdir / "logs" / "stream.log",
                                      chunk_records=args.chunk_records, partitions=args.partitions,
                                      engine=args.engine, sink=args.sink)
        worker.start()
        stack.callback(worker.stop)
        t1 = time.monotonic()
        step = max(1, len(messages) // 10)
        for i in range(0, len(messages), step):
            harness.produce(bootstrap, topics.raw, messages[i : i + step])
            _say(f"produced {min(i + step, len(messages))}/{len(messages)}")
        ends = harness.end_offsets(bootstrap, topics.raw)
        harness.wait_until_committed(bootstrap, topics.group, topics.raw, ends, timeout=args.timeout, worker=worker)
        elapsed = time.monotonic() - t1
        _say(f"stream committed every offset {elapsed:.1f}s after the first produce (worker start-up included)")
        worker.stop()

        table_rows = harness.iceberg_findings(out) if args.sink == "iceberg" else None
        counts = harness.table_counts(table_rows) if table_rows is not None else harness.parquet_counts(out)
        dead = harness.dead_letters(bootstrap, topics.dlq, sum(expected_reasons.values()))
        got_reasons = Counter(dead.values())
        valid_fps = {m.key for m in messages if m.valid}
        shuffled = reshuffled_fingerprints(messages, args.seed + 1)
        merged, merge_note = schema_merge_ok(out) if table_rows is None else table_schema_ok(out)

        replay_dir = workdir / "replay"
        shutil.rmtree(replay_dir, ignore_errors=True)
        r = replay(bootstrap, topics.raw, replay_dir, chunk_records=args.chunk_records)
        replay_digest = harness.tree_digest(replay_dir)
        if table_rows is None:
            live_digest = harness.tree_digest(out)
            replay_same = live_digest == replay_digest and bool(live_digest)
        else:
            replay_same = table_rows.num_rows > 0 and same_rows(table_rows, replay_dir)

        checks = {
            "rows == valid input": counts["rows"] == expected_valid,
            "no duplicate offsets": counts["distinct_offsets"] == counts["rows"],
            "dead letters == invalid input": len(dead) == len(messages) - expected_valid,
            "dead-letter reasons match": got_reasons == expected_reasons,
            "fingerprints == producer keys": counts["distinct_fingerprints"] == len(valid_fps),
            "fingerprints stable under shuffled input": shuffled == valid_fps,
            "arrow schema merge safe": merged,
            ("replay byte-identical" if table_rows is None else "replay rows == table rows"): replay_same,
        }
        report.update(
            expected_valid=expected_valid,
            parquet=counts,
            dead_letters=len(dead),
            dead_letter_reasons=dict(sorted(got_reasons.items())),
            expected_reasons=dict(sorted(expected_reasons.items())),
            schema_merge=merge_note,
            replay={"consumed": r.consumed, "valid": r.valid, "files": len(replay_digest)},
            stream_seconds=round(elapsed, 2),
            checks=checks,
            ok=all(checks.values()),
            outputs={"parquet": str(out), "replay": str(replay_dir), "logs": str(workdir / "logs")},
        )
    (workdir / "report.json").write_text(json.dumps(report, indent=2, sort_keys=True, default=str))
    for name, ok in checks.items():
        _say(f"{'PASS' if ok else 'FAIL'}  {name}")
    _say(f"report: {workdir / 'report.json'}")
    return report


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=200_000, help="messages to produce")
    p.add_argument("--workdir", type=Path, default=Path(".stress"))
    p.add_argument("--clean", action="store_true", help="empty the workdir first")
    p.add_argument("--invalid-share", type=float, default=0.02)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--partitions", type=int, default=6)
    p.add_argument("--chunk-records", type=int, default=DEFAULT_CHUNK_RECORDS)
    p.add_argument("--timeout", type=float, default=900.0, help="seconds to wait for the stream")
    p.add_argument("--sink", default="parquet", choices=["parquet", "iceberg"], help="the worker's sink")
    p.add_argument("--engine", default="faust", choices=["faust", "kafka"], help="the worker's engine")
    p.add_argument("--bootstrap", default=None, help="default: KAFKA_BOOTSTRAP_SERVERS or the local broker")
    report = run(p.parse_args(argv))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
