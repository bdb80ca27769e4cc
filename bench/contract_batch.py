"""Contract micro-benchmark: us/record for the Avro decode, the row-wise reference contract
(`to_row` + `rows_to_table`) and the batch contract (`to_table_batch`), on the same records.

    .venv/bin/python bench/contract_batch.py --n 5000 --invalid-share 0.1 --repeats 5

The stream target is a worker at >= 0.5x a bare decode-only consumer, so the contract step must
cost well under the decode: the ratios against decode are the figures to read. Runs of the three
steps are interleaved and medians reported, since the machine is shared and noisy. Not a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from contracts.batch import to_table_batch  # noqa: E402
from contracts.cast import ContractError, Provenance, rows_to_table, to_row  # noqa: E402
from schemas.wire import Decoder, WireError  # noqa: E402
from tools.stress.generator import generate  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--invalid-share", type=float, default=0.1)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()

    decoder = Decoder()
    values = [m.value for m in generate(args.n, seed=5, invalid_share=args.invalid_share)]
    records, offsets, messages = [], [], []
    for off, value in enumerate(values):
        try:
            records.append(decoder.decode(value)[1])
        except WireError:
            continue
        offsets.append(off)
        messages.append(value)

    def decode() -> None:
        for value in messages:
            decoder.decode(value)

    def rowwise() -> None:
        rows = []
        for rec, off in zip(records, offsets, strict=True):
            try:
                rows.append(to_row(rec, Provenance("raw", 0, off)))
            except ContractError:
                pass
        rows_to_table(rows)

    def batch() -> None:
        to_table_batch(records, "raw", 0, offsets)

    steps = {"decode": decode, "to_row+rows_to_table": rowwise, "to_table_batch": batch}
    batch()  # warm up kernels and regex caches
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(args.repeats):
        for name, fn in steps.items():
            t0 = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - t0) / len(records) * 1e6)
    med = {name: statistics.median(v) for name, v in times.items()}
    print(
        f"{len(records)} decodable records ({args.n} messages, invalid share {args.invalid_share})"
    )
    for name, v in times.items():
        runs = " ".join(f"{x:.2f}" for x in v)
        print(f"{name:>22}: median {med[name]:7.2f} us/record   runs: {runs}")
    print(f"row-wise / decode: {med['to_row+rows_to_table'] / med['decode']:.2f}")
    print(f"batch / decode:    {med['to_table_batch'] / med['decode']:.2f}")
    print(f"speed-up batch vs row-wise: {med['to_row+rows_to_table'] / med['to_table_batch']:.1f}x")


if __name__ == "__main__":
    main()
