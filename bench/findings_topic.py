"""Cost of the stream's publish step (finops.findings.v1): the same consumed batches through the
findings processor with the plain Parquet sink and with the publishing sink (a real broker,
delivery flushed before each commit), interleaved, medians of the repeats.

    KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:41490 .venv/bin/python bench/findings_topic.py \
        --n 20000 --batch 2000 --repeats 5

Reports us/record of each and the ratio publish/plain. Not a test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from schemas.topics import ensure_topics  # noqa: E402
from streams.processor import Incoming, processor_for  # noqa: E402
from streams.publish import publishing  # noqa: E402
from tools.stress.generator import generate  # noqa: E402


def run_once(values: list[bytes], batch: int, out: Path, bootstrap: str | None,
             topic: str) -> float:
    proc = processor_for("finding", out, len(values) // 4 or 1, lambda _letter: None)
    if bootstrap:
        publishing(proc, bootstrap, topic)
    msgs = [Incoming(i, v) for i, v in enumerate(values)]
    t0 = time.perf_counter()
    for i in range(0, len(msgs), batch):
        proc.process("bench.raw", 0, msgs[i:i + batch])
    proc.sink.flush_open()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--batch", type=int, default=2000)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    bootstrap = os.environ["KAFKA_BOOTSTRAP_SERVERS"]
    topic = f"bench.findings.{uuid.uuid4().hex[:8]}"
    ensure_topics(bootstrap, {topic: 6})
    values = [m.value for m in generate(args.n, seed=5, invalid_share=0.0)]
    plain, published = [], []
    for _ in range(args.repeats):
        for target, sink_to in ((plain, None), (published, bootstrap)):
            out = Path(tempfile.mkdtemp(prefix="bench-pub-"))
            try:
                target.append(run_once(values, args.batch, out, sink_to, topic))
            finally:
                shutil.rmtree(out, ignore_errors=True)
    p, q = statistics.median(plain), statistics.median(published)
    print(f"n={args.n} batch={args.batch} repeats={args.repeats} load={os.getloadavg()[0]:.1f}")
    print(f"plain sink      {p / args.n * 1e6:8.1f} us/record (median {p:.2f} s)")
    print(f"publishing sink {q / args.n * 1e6:8.1f} us/record (median {q:.2f} s)")
    print(f"ratio publish/plain {q / p:.2f}")


if __name__ == "__main__":
    main()
