"""Append throughput of the Iceberg sink against the Parquet sink, in the same run, end to end
through the real broker: one `finops stream --engine kafka` worker per sink, each its own group on
the same topic, findings/s from start to every offset committed (worker start-up included).

    python bench/iceberg_sink.py --n 200000 --repeats 3

Prints per-repeat figures, medians and the ratio iceberg/parquet. Not a test: no thresholds; the
machine is shared and noisy, so read medians and ratios (and `uptime` next to them).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tools.stress import harness  # noqa: E402
from tools.stress.generator import generate  # noqa: E402
from tools.stress.stress_engine import local_bootstrap  # noqa: E402


def one_run(bootstrap: str, topics: harness.Topics, out: Path, sink: str, chunk: int, partitions: int) -> float:
    """Seconds for a fresh worker (own group) to commit every offset of the topic."""
    group = harness.Topics(topics.raw, topics.dlq, topics.scans, f"{topics.group}-{sink}-{time.monotonic_ns()}")
    worker = harness.StreamWorker(bootstrap, group, out, out.parent / f"{out.name}.log", chunk_records=chunk,
                                  partitions=partitions, engine="kafka", sink=sink)
    ends = harness.end_offsets(bootstrap, topics.raw)
    t0 = time.monotonic()
    worker.start()
    try:
        harness.wait_until_committed(bootstrap, group.group, topics.raw, ends, timeout=1800, worker=worker)
        return time.monotonic() - t0
    finally:
        worker.stop()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=200_000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--partitions", type=int, default=6)
    p.add_argument("--chunk-records", type=int, default=10_000)
    p.add_argument("--bootstrap", default=None)
    args = p.parse_args(argv)
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="bench-ice-") as tmp:
        bootstrap = args.bootstrap or local_bootstrap(stack, Path(tmp))
        topics = harness.Topics.unique("benchice")
        topics.create(bootstrap, args.partitions)
        harness.produce(bootstrap, topics.raw, generate(args.n, seed=3, invalid_share=0.02))
        seconds: dict[str, list[float]] = {"parquet": [], "iceberg": []}
        for r in range(args.repeats):
            for sink in ("parquet", "iceberg"):  # alternate, so drift in load hits both
                s = one_run(bootstrap, topics, Path(tmp) / f"{sink}-{r}", sink, args.chunk_records, args.partitions)
                seconds[sink].append(s)
                print(f"repeat {r} {sink:8s} {s:6.1f}s  {args.n / s:9.0f} findings/s", flush=True)
        med = {k: statistics.median(v) for k, v in seconds.items()}
        print(json.dumps({
            "n": args.n, "partitions": args.partitions, "chunk_records": args.chunk_records,
            "median_seconds": {k: round(v, 2) for k, v in med.items()},
            "median_findings_per_s": {k: round(args.n / v) for k, v in med.items()},
            "ratio_iceberg_over_parquet_throughput": round(med["parquet"] / med["iceberg"], 3),
        }, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
