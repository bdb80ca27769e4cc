"""Stream throughput: findings/s end to end (produce -> Parquet committed) for one stream worker,
against a bare confluent-kafka consumer that only fastavro-decodes the same topic, in the same run.

    python bench/stream_throughput.py --n 200000 --repeats 3

Prints per-repeat figures, medians, the ratio worker/bare, and the worker's peak RSS.
Not a test: no thresholds; the machine is shared and noisy, so read medians and ratios.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

import psutil
from confluent_kafka import Consumer, TopicPartition
from fastavro import schemaless_reader

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from schemas.registry import latest  # noqa: E402
from sinks.chunk_sink import DEFAULT_CHUNK_RECORDS  # noqa: E402
from tools.stress import harness  # noqa: E402
from tools.stress.generator import generate  # noqa: E402
from tools.stress.stress_engine import local_bootstrap  # noqa: E402


def bare_consume(bootstrap: str, topic: str, ends: dict[int, int]) -> float:
    """Seconds for a bare consumer to read and fastavro-decode every message of `topic`."""
    parsed = latest("finding").parsed
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"bare-{uuid.uuid4().hex[:6]}",
                  "enable.auto.commit": False, "fetch.max.bytes": 8 * 1024 * 1024})
    c.assign([TopicPartition(topic, p, 0) for p in ends])
    left = dict(ends)
    t0 = time.perf_counter()
    n = 0
    while any(v > 0 for v in left.values()):
        for m in c.consume(10000, timeout=1.0):
            if m.error():
                continue
            buf = io.BytesIO(m.value())
            buf.seek(10)
            schemaless_reader(buf, parsed, None)
            n += 1
            if m.offset() >= ends[m.partition()] - 1:
                left[m.partition()] = 0
    elapsed = time.perf_counter() - t0
    c.close()
    return elapsed


class RssSampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.stop = threading.Event()

    def run(self) -> None:
        try:
            proc = psutil.Process(self.pid)
            while not self.stop.is_set():
                rss = proc.memory_info().rss + sum(ch.memory_info().rss for ch in proc.children(recursive=True))
                self.peak = max(self.peak, rss)
                time.sleep(0.1)
        except psutil.NoSuchProcess:
            return


def one_run(bootstrap: str, n: int, partitions: int, chunk: int, batch_max: int, workdir: Path,
            engine: str) -> dict[str, float]:
    topics = harness.Topics.unique("bench")
    topics.create(bootstrap, partitions)
    messages = list(generate(n, seed=17, invalid_share=0.0))
    warm = list(generate(partitions * 4, seed=99, invalid_share=0.0))
    out = workdir / topics.raw
    worker = harness.StreamWorker(bootstrap, topics, out, workdir / f"{topics.raw}.log",
                                  chunk_records=chunk, batch_max=batch_max, partitions=partitions,
                                  engine=engine).start()
    sampler = RssSampler(worker.pid)
    sampler.start()
    try:
        harness.produce(bootstrap, topics.raw, warm)  # worker joined and warm before the clock starts
        harness.wait_until_committed(bootstrap, topics.group, topics.raw, harness.end_offsets(bootstrap, topics.raw),
                                     timeout=120, worker=worker)
        t0 = time.perf_counter()
        harness.produce(bootstrap, topics.raw, messages)
        produced = time.perf_counter() - t0
        ends = harness.end_offsets(bootstrap, topics.raw)
        harness.wait_until_committed(bootstrap, topics.group, topics.raw, ends, timeout=1800, worker=worker)
        e2e = time.perf_counter() - t0
    finally:
        worker.stop()
        sampler.stop.set()
    rows = harness.parquet_counts(out)["rows"]
    assert rows == n + len(warm), f"worker stored {rows} rows, expected {n + len(warm)}"
    bare = bare_consume(bootstrap, topics.raw, ends)
    total = n + len(warm)
    return {
        "worker_findings_per_s": n / e2e,
        "produce_s": produced,
        "end_to_end_s": e2e,
        "bare_decode_per_s": total / bare,
        "ratio": (n / e2e) / (total / bare),
        "worker_peak_rss_mb": sampler.peak / 2**20,
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=200_000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--partitions", type=int, default=6)
    p.add_argument("--chunk-records", type=int, default=DEFAULT_CHUNK_RECORDS)
    p.add_argument("--batch-max", type=int, default=5_000)
    p.add_argument("--bootstrap", default=None)
    p.add_argument("--engines", default="faust,kafka", help="stream engines to measure, comma-separated")
    p.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = p.parse_args()
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    results: dict[str, list[dict[str, float]]] = {e: [] for e in engines}
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="finops-bench-") as tmp:
        bootstrap = args.bootstrap or local_bootstrap(stack, Path(tmp))
        for i in range(args.repeats):
            for engine in engines:  # interleaved, so both see the same machine load
                r = one_run(bootstrap, args.n, args.partitions, args.chunk_records, args.batch_max,
                            Path(tmp), engine)
                results[engine].append(r)
                print(f"run {i + 1}/{args.repeats} [{engine:>5}]: worker {r['worker_findings_per_s']:,.0f} "
                      f"findings/s (e2e {r['end_to_end_s']:.1f}s, produce {r['produce_s']:.1f}s) | bare decode "
                      f"{r['bare_decode_per_s']:,.0f}/s | ratio {r['ratio']:.2f} | peak RSS "
                      f"{r['worker_peak_rss_mb']:.0f} MB", flush=True)
    summary = {}
    print(f"\nmedians of {args.repeats} runs, n={args.n:,}, {args.partitions} partitions, one worker each:")
    for engine, runs in results.items():
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        med["worker_peak_rss_mb"] = max(r["worker_peak_rss_mb"] for r in runs)
        summary[engine] = med
        print(f"  [{engine}] produce -> Parquet committed: {med['worker_findings_per_s']:>9,.0f} findings/s | "
              f"bare consumer + fastavro: {med['bare_decode_per_s']:>9,.0f}/s | ratio {med['ratio']:.2f} "
              f"(target >= 0.5) | peak RSS {med['worker_peak_rss_mb']:.0f} MB (target < 500)")
    if args.json:
        args.json.write_text(json.dumps({"runs": results, "median": summary, "args": vars(args)}, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
