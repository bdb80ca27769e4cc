"""Stream throughput of one worker against the strongest bare baseline, all in one run.

    python bench/stream_throughput.py --n 100000 --repeats 3           # both engines, interleaved
    python bench/stream_throughput.py --n 1000000 --repeats 1          # peak RSS at 1M findings
    git archive main | tar -x -C /tmp/before && \
    python bench/stream_throughput.py --engines faust@/tmp/before,faust,kafka@/tmp/before,kafka

Each repeat, for each engine (`finops stream --engine faust|kafka`, one worker process):

1. warm-up: the worker joins its group and stores a warm-up set (so start-up is never timed);
2. **drain**: the worker is frozen (SIGSTOP), `n` findings are produced into the 6-partition topic,
   the worker is resumed (SIGCONT) and the clock runs until every offset is committed (= in durable
   Parquet). Produce time is excluded. The drain ends on the sink's chunk grid, so no idle-flush
   wait is timed either;
3. **live**: `n` more findings are produced while the worker consumes (today's figure: produce ->
   Parquet committed, including the producer and the idle flush of the last open chunks);
4. **bare**, on the very records of the drain, read right before the drain (worker frozen) and
   again after the worker stopped, the stronger reading kept: a bare confluent-kafka consumer with
   `consume(10000)` batches (clock from its first batch), (a) raw: only touching each value,
   (b) decode: plus the fastest per-record fastavro decode (`schemaless_reader` over a schema
   parsed once, fastavro's fast path).

Ratios are drain / bare decode of the same repeat; medians over repeats; peak RSS is the worker
process's (sampled every 0.1 s), maximum over repeats. Not a test: no thresholds; the machine is
shared and noisy (the load average is printed), so read medians and ratios.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import pickle
import signal
import statistics
import sys
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack, chdir
from pathlib import Path

import psutil
from confluent_kafka import Consumer, Producer, TopicPartition
from fastavro import schemaless_reader

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from schemas.registry import latest  # noqa: E402
from schemas.wire import HEADER_LEN  # noqa: E402
from sinks.chunk_sink import DEFAULT_CHUNK_RECORDS  # noqa: E402
from tools.stress import harness  # noqa: E402
from tools.stress.generator import Message, generate  # noqa: E402
from tools.stress.stress_engine import local_bootstrap  # noqa: E402

BARE_BATCH = 10_000
# The worker is frozen while the topic fills: the group must not drop it meanwhile.
SESSION_TIMEOUT_S = 60.0  # --session-timeout: raise it for --n 1000000 on a loaded machine
# ... and the bare baseline is also read while it is frozen, up to this many records (then only after)
PRE_BARE_MAX = 300_000


def bare_read(bootstrap: str, topic: str, starts: dict[int, int], ends: dict[int, int], decode: bool) -> float:
    """Records/s of a bare consumer over [starts, ends) of each partition: consume(10000) batches,
    and with `decode` the fastest per-record fastavro decode (schema parsed once, fast path)."""
    parsed = latest("finding").parsed
    reader, bytes_io = schemaless_reader, io.BytesIO
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"bare-{uuid.uuid4().hex[:6]}",
                  "enable.auto.commit": False, "fetch.max.bytes": 16 * 1024 * 1024,
                  "max.partition.fetch.bytes": 4 * 1024 * 1024})
    c.assign([TopicPartition(topic, p, starts[p]) for p in ends])
    total = sum(ends[p] - starts[p] for p in ends)
    n = timed = 0
    t0 = 0.0
    while n < total:
        # never more than what is left: consume() would wait out its timeout for a full batch
        msgs = c.consume(min(BARE_BATCH, total - n), timeout=1.0)
        if msgs and not t0:  # the clock starts at the first batch: connecting and joining are not timed
            t0 = time.perf_counter()
            timed = -len(msgs)
        for m in msgs:
            if m.error():
                continue
            value = m.value()
            if decode:
                buf = bytes_io(value)
                buf.seek(HEADER_LEN)
                reader(buf, parsed, None)
            n += 1
    elapsed = time.perf_counter() - t0
    c.close()
    return (total + timed) / elapsed


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


def produce_to(bootstrap: str, topic: str, by_partition: dict[int, list[Message]]) -> None:
    """Produce each partition's messages to that partition (the producer settings of FindingPublisher)."""
    failures: list[str] = []

    def on_delivery(err: object, msg: object) -> None:
        if err is not None:
            failures.append(str(err))

    p = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all",
                  "compression.type": "lz4", "linger.ms": 20, "batch.num.messages": 10000,
                  "queue.buffering.max.messages": 500000, "message.timeout.ms": 120000})
    for partition, messages in by_partition.items():
        for m in messages:
            while True:
                try:
                    p.produce(topic, m.value, m.key, partition=partition, headers=list(m.headers),
                              on_delivery=on_delivery)
                    break
                except BufferError:
                    p.poll(0.1)
            p.poll(0)
    if p.flush(120) or failures:
        raise RuntimeError(f"{topic}: {len(failures)} deliveries failed: {failures[:3]}")


class CommitWatch:
    """The group's committed offsets, polled with one consumer (cheap enough to poll every 0.1 s)."""

    def __init__(self, bootstrap: str, group: str, topic: str, partitions: int) -> None:
        self.c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
        self.tps = [TopicPartition(topic, p) for p in range(partitions)]

    def wait(self, ends: dict[int, int], worker: harness.StreamWorker, timeout: float = 1800) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                got = {tp.partition: tp.offset for tp in self.c.committed(self.tps, timeout=30)}
            except Exception:  # noqa: BLE001 - coordinator loading: retry
                got = {}
            if all(got.get(p, -1) >= e for p, e in ends.items()):
                return time.perf_counter()
            if not worker.alive():
                raise RuntimeError(f"stream worker died; see {worker.log_path}")
            time.sleep(0.1)
        raise TimeoutError(f"committed offsets never reached {ends}")

    def close(self) -> None:
        self.c.close()


def split_even(messages: list[Message], partitions: int, per_partition: int) -> dict[int, list[Message]]:
    return {p: messages[p * per_partition:(p + 1) * per_partition] for p in range(partitions)}


def one_run(bootstrap: str, inputs: dict[str, list[Message]], args: argparse.Namespace, workdir: Path,
            variant: str) -> dict[str, float]:
    """One engine's warm-up, drain, live phase and bare readings. `variant` is an engine name, or
    `engine@DIR` to run the worker from another checkout (e.g. an export of main: before/after in
    one run)."""
    engine, _, code_dir = variant.partition("@")
    parts, per, warm_per = args.partitions, args.per_partition, args.warm_per_partition
    topics = harness.Topics.unique("bench")
    topics.create(bootstrap, parts)
    out = workdir / topics.raw
    worker = harness.StreamWorker(bootstrap, topics, out, workdir / f"{topics.raw}.log",
                                  chunk_records=args.chunk_records, batch_max=args.batch_max,
                                  partitions=parts, engine=engine)
    worker.cmd += ["--session-timeout", str(args.session_timeout)]
    if code_dir and "--data-dir" not in (Path(code_dir) / "finops/commands/stream.py").read_text():
        at = worker.cmd.index("--data-dir")  # an older checkout: its worker has no such option
        del worker.cmd[at : at + 2]
    with chdir(code_dir or Path.cwd()):  # `python -m finops.cli` imports from the working directory first
        worker.start()
    sampler = RssSampler(worker.pid)
    sampler.start()
    watch = CommitWatch(bootstrap, topics.group, topics.raw, parts)
    try:
        produce_to(bootstrap, topics.raw, split_even(inputs["warm"], parts, warm_per))
        warm_ends = {p: warm_per for p in range(parts)}
        watch.wait(warm_ends, worker, timeout=300)
        drain_ends = {p: warm_per + per for p in range(parts)}
        bare_runs: list[tuple[float, float]] = []
        os.kill(worker.pid, signal.SIGSTOP)
        try:
            t = time.perf_counter()
            produce_to(bootstrap, topics.raw, split_even(inputs["drain"], parts, per))
            fill_s = time.perf_counter() - t
            if per * parts <= PRE_BARE_MAX:  # the bare baseline right before the drain, the worker frozen
                bare_runs.append((bare_read(bootstrap, topics.raw, warm_ends, drain_ends, decode=False),
                                  bare_read(bootstrap, topics.raw, warm_ends, drain_ends, decode=True)))
        finally:
            os.kill(worker.pid, signal.SIGCONT)
        t0 = time.perf_counter()
        drain_s = watch.wait(drain_ends, worker) - t0
        rss_drain = sampler.peak
        t2 = time.perf_counter()
        if args.live:
            harness.produce(bootstrap, topics.raw, inputs["live"])
            produce_live_s = time.perf_counter() - t2
            live_s = watch.wait(harness.end_offsets(bootstrap, topics.raw), worker) - t2
    finally:
        watch.close()
        worker.stop()
        sampler.stop.set()
    expected = len(inputs["warm"]) + len(inputs["drain"]) + (len(inputs["live"]) if args.live else 0)
    rows = harness.parquet_counts(out)["rows"]
    assert rows == expected, f"{engine}: worker stored {rows} rows, expected {expected}"
    bare_runs.append((bare_read(bootstrap, topics.raw, warm_ends, drain_ends, decode=False),
                      bare_read(bootstrap, topics.raw, warm_ends, drain_ends, decode=True)))
    # the strongest of the bare readings (before and after the worker ran): conservative ratios
    raw = max(r for r, _ in bare_runs)
    bare = max(d for _, d in bare_runs)
    drained = per * parts
    r = {
        "drain_per_s": drained / drain_s,
        "drain_s": drain_s,
        "fill_s": fill_s,
        "bare_raw_per_s": raw,
        "bare_decode_per_s": bare,
        "ratio_drain_to_bare": (drained / drain_s) / bare,
        "ratio_drain_to_raw": (drained / drain_s) / raw,
        "peak_rss_drain_mb": rss_drain / 2**20,
        "peak_rss_mb": sampler.peak / 2**20,
        "load1": os.getloadavg()[0],
    }
    if args.live:
        r["live_per_s"] = len(inputs["live"]) / live_s
        r["live_produce_s"] = produce_live_s
        r["ratio_live_to_bare"] = r["live_per_s"] / bare
    return r


def messages(count: int, distinct: int) -> list[Message]:
    """`count` generated findings, the first `distinct` of them repeated as needed (the stream does
    not deduplicate, so repeats cost what new records cost; generating 1M takes minutes). Cached
    in the temp dir by (distinct, seed), as generating is the slowest part of a short run."""
    distinct = min(count, distinct)
    cache = Path(tempfile.gettempdir()) / f"finops-bench-findings-{distinct}-seed17.pickle"
    try:
        unique = pickle.loads(cache.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError):
        unique = list(generate(distinct, seed=17, invalid_share=0.0))
        cache.write_bytes(pickle.dumps(unique, protocol=pickle.HIGHEST_PROTOCOL))
    return [unique[i % distinct] for i in range(count)]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=100_000, help="findings drained (rounded up to whole partitions)")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--partitions", type=int, default=6)
    p.add_argument("--chunk-records", type=int, default=DEFAULT_CHUNK_RECORDS)
    p.add_argument("--batch-max", type=int, default=5_000)
    p.add_argument("--distinct", type=int, default=220_000,
                   help="distinct generated findings; more are repeats of these (for --n 1000000)")
    p.add_argument("--session-timeout", type=float, default=SESSION_TIMEOUT_S,
                   help="the worker's, in seconds: longer than filling the topic takes")
    p.add_argument("--no-live", dest="live", action="store_false", help="skip the produce-while-consuming figure")
    p.add_argument("--bootstrap", default=None)
    p.add_argument("--engines", default="faust,kafka",
                   help="stream engines to measure, comma-separated; engine@DIR runs that worker from checkout DIR")
    p.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = p.parse_args()
    args.per_partition = -(-args.n // args.partitions)
    # warm-up sized so that the drain ends on the chunk grid: its last chunk completes at once
    args.warm_per_partition = args.chunk_records - args.per_partition % args.chunk_records
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    drained = args.per_partition * args.partitions
    print(f"generating (or loading) {args.warm_per_partition * args.partitions:,} warm-up + {drained:,} drain"
          f"{f' + {drained:,} live' if args.live else ''} findings ...", flush=True)
    every = messages(args.warm_per_partition * args.partitions + drained * (2 if args.live else 1), args.distinct)
    w = args.warm_per_partition * args.partitions
    inputs = {"warm": every[:w], "drain": every[w:w + drained], "live": every[w + drained:]}
    results: dict[str, list[dict[str, float]]] = {e: [] for e in engines}
    load_start = os.getloadavg()
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="finops-bench-") as tmp:
        bootstrap = args.bootstrap or local_bootstrap(stack, Path(tmp))
        for i in range(args.repeats):
            for engine in engines:  # interleaved, so every engine and its bare baseline see the same load
                r = one_run(bootstrap, inputs, args, Path(tmp), engine)
                results[engine].append(r)
                live = (f" | live {r['live_per_s']:,.0f}/s ({r['ratio_live_to_bare']:.2f})" if args.live else "")
                print(f"run {i + 1}/{args.repeats} [{engine:>5}] drain {r['drain_per_s']:,.0f}/s "
                      f"({r['drain_s']:.2f}s) | bare raw {r['bare_raw_per_s']:,.0f}/s | bare decode "
                      f"{r['bare_decode_per_s']:,.0f}/s | ratio {r['ratio_drain_to_bare']:.2f}{live} | "
                      f"peak RSS {r['peak_rss_mb']:.0f} MB | load {r['load1']:.2f}", flush=True)
    load_end = os.getloadavg()
    summary: dict[str, dict[str, float]] = {}
    print(f"\nmedians of {args.repeats} runs, {drained:,} findings drained from a pre-filled "
          f"{args.partitions}-partition topic, one worker; load average {load_start[0]:.2f} -> {load_end[0]:.2f}:")
    for engine, runs in results.items():
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        med["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
        summary[engine] = med
        ratios = ", ".join(f"{r['ratio_drain_to_bare']:.2f}" for r in runs)
        live = (f" | live (produce while consuming) {med['live_per_s']:,.0f}/s, ratio {med['ratio_live_to_bare']:.2f}"
                if args.live else "")
        print(f"  [{engine:>5}] drain {med['drain_per_s']:>8,.0f}/s | bare decode {med['bare_decode_per_s']:>8,.0f}/s "
              f"| bare raw {med['bare_raw_per_s']:>9,.0f}/s | ratio to bare {med['ratio_drain_to_bare']:.2f} "
              f"({ratios}){live} | peak RSS {med['peak_rss_mb']:.0f} MB")
    if args.json:
        args.json.write_text(json.dumps({"runs": results, "median": summary, "args": vars(args),
                                         "load": [load_start, load_end]}, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
