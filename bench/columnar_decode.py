"""Could a columnar Avro decoder replace the stream's per-record decode? Figures and one blocker.

    pip install polars-avro        # not a project dependency: this experiment only
    .venv/bin/python bench/columnar_decode.py --n 5000 --repeats 5

Records of one writer schema, concatenated, are an Avro data block: with the schema as header
they make an in-memory object-container file that a columnar reader loads straight into Arrow.
Here, on the same generated findings and interleaved (medians of the repeats), us/record of:

1. `Decoder.decode` per record (fastavro's fast path, what the stream runs);
2. polars-avro (Rust arrow-avro) over one block: container built + decoded into Arrow;
3. the same plus the Arrow columns turned into the Python columns the contract reads today.

Which readers were tried, and why none is used (docs/performance.md): polars' own `read_avro`
and jetliner reject the finding schema's two-branch unions (`observed_at`, the savings); polars-avro
decodes them (dense unions) but never returns on a block whose last record carries trailing
bytes (`--hang-check` shows it in a subprocess with a timeout), a record the per-record path
dead-letters as `bad_body`. A stream worker cannot hand hostile input to a decoder that may hang.
Not a test.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from schemas.registry import latest  # noqa: E402
from schemas.wire import HEADER_LEN, Decoder  # noqa: E402
from streams.publish_wire import zigzag_varint  # noqa: E402
from tools.stress.generator import generate  # noqa: E402

SYNC = bytes(16)


def container_header(schema_json: str) -> bytes:
    """An object-container header: magic, the metadata map (schema, null codec), sync marker."""
    meta = {b"avro.schema": schema_json.encode(), b"avro.codec": b"null"}
    out = bytearray(b"Obj\x01" + zigzag_varint(len(meta)))
    for key, value in meta.items():
        out += zigzag_varint(len(key)) + key + zigzag_varint(len(value)) + value
    return bytes(out + zigzag_varint(0) + SYNC)


def one_block(header: bytes, bodies: list[bytes]) -> bytes:
    data = b"".join(bodies)
    return header + zigzag_varint(len(bodies)) + zigzag_varint(len(data)) + data + SYNC


def columnar(blob: bytes, n: int) -> object:
    import pyarrow as pa
    from polars_avro._avro_rs import AvroSource  # the reader itself, below polars' frame layer
    from polars_avro._source import seekable_factory

    source = AvroSource([seekable_factory(io.BytesIO(blob))], False, False)
    return pa.Table.from_batches([pa.record_batch(b) for b in source.batch_iter(n, None)])


def trailing_byte_case() -> None:
    """Decode three records whose last one has one trailing byte (run in a subprocess)."""
    schema = latest("finding")
    bodies = [m.value[HEADER_LEN:] for m in generate(3, seed=5, invalid_share=0.0)]
    bodies[-1] += b"\x00"
    try:
        columnar(one_block(container_header(schema.path.read_text()), bodies), 3)
        print("decoded")
    except Exception as exc:  # noqa: BLE001 - any error is a fine answer here; no answer is not
        print("raised", type(exc).__name__)


def hang_check(timeout_s: float) -> str:
    try:
        done = subprocess.run([sys.executable, __file__, "--trailing-byte-case"],
                              capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        return f"no answer within {timeout_s:.0f} s (hangs)"
    return done.stdout.strip() or done.stderr.strip()[-300:]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--hang-check", type=float, default=30.0, metavar="SECONDS",
                    help="timeout of the trailing-byte check (0: skip it)")
    ap.add_argument("--trailing-byte-case", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.trailing_byte_case:
        trailing_byte_case()
        return
    schema = latest("finding")
    header = container_header(json.dumps(json.loads(schema.path.read_text())))
    values = [m.value for m in generate(args.n, seed=5, invalid_share=0.0)]
    bodies = [v[HEADER_LEN:] for v in values]
    decoder = Decoder()

    def per_record() -> None:
        for v in values:
            decoder.decode(v)

    def block() -> None:
        columnar(one_block(header, bodies), len(bodies))

    def block_to_python() -> None:
        table = columnar(one_block(header, bodies), len(bodies))
        for name in table.column_names:  # type: ignore[attr-defined]
            table.column(name).to_pylist()  # type: ignore[attr-defined]

    steps = {"per-record fastavro": per_record, "columnar block": block,
             "columnar + to Python": block_to_python}
    block()  # warm up
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(args.repeats):
        for name, fn in steps.items():
            t0 = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - t0) / len(values) * 1e6)
    import os

    print(f"{len(values)} findings, {args.repeats} repeats, load {os.getloadavg()[0]:.1f}")
    base = statistics.median(times["per-record fastavro"])
    for name, runs in times.items():
        med = statistics.median(runs)
        print(f"{name:>22}: median {med:7.2f} us/record ({base / med:4.1f}x per-record)   "
              f"runs: {' '.join(f'{x:.2f}' for x in runs)}")
    if args.hang_check:
        print(f"trailing byte on the block's last record: {hang_check(args.hang_check)}")


if __name__ == "__main__":
    main()
