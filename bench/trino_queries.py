"""Trino query times over the Iceberg findings table, with DuckDB over the same snapshot's files as
the baseline in the same run.

    python bench/trino_queries.py --n 1000000 --repeats 3

Fills a fresh table with N generated findings through the real Processor + Iceberg sink (no
broker: this measures the queries, not the stream), compacts it, starts Trino (`finops.trino`), and
times each query (median of repeats, after one warm-up run). Not a test: no thresholds; the machine
is shared and noisy, so read medians and ratios next to `uptime`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from contracts.batch import convert_batch  # noqa: E402
from contracts.schema import FINDING_SCHEMA  # noqa: E402
from finops.broker import free_ports  # noqa: E402
from finops.trino import LocalTrino  # noqa: E402
from sinks.iceberg_maintenance import compact  # noqa: E402
from sinks.iceberg_sink import IcebergSink  # noqa: E402
from sinks.iceberg_tables import FINDINGS, ensure_table, open_catalog  # noqa: E402
from streams.processor import Incoming, Processor  # noqa: E402
from tools.stress.generator import generate  # noqa: E402

QUERIES = {
    "count": "select count(*) from {t}",
    "savings_per_tenant": "select tenant_id, count(*), sum(estimated_monthly_savings) from {t} group by 1 order by 1",
    "top_checks_per_day": "select cast(observed_at as date) d, check_id, count(*) n from {t} "
                          "group by 1, 2 order by n desc, d, check_id limit 20",
    "one_tenant_top10": "select finding_id, estimated_monthly_savings from {t} where tenant_id = 'acme' "
                        "order by estimated_monthly_savings desc nulls last, finding_id limit 10",
}


def fill(root: Path, n: int, partitions: int = 6, batch: int = 5000) -> float:
    catalog = open_catalog(root)
    sink = IcebergSink(lambda: ensure_table(catalog, FINDINGS), FINDING_SCHEMA, commit_rows=50_000)
    proc = Processor("finding", convert_batch, sink, lambda d: None)
    t0 = time.monotonic()
    per = n // partitions
    for p in range(partitions):
        msgs = generate(per, seed=100 + p, invalid_share=0.0)
        chunk: list[Incoming] = []
        for i, m in enumerate(msgs):
            chunk.append(Incoming(i, m.value))
            if len(chunk) == batch:
                proc.process("raw", p, chunk)
                chunk = []
        if chunk:
            proc.process("raw", p, chunk)
    sink.finish()
    return time.monotonic() - t0


def timed(fn, repeats: int) -> float:  # noqa: ANN001
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.monotonic()
        fn()
        times.append(time.monotonic() - t0)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--workdir", type=Path, default=None, help="keep the table here (default: a temp dir)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-trino-") as tmp:
        work = args.workdir or Path(tmp)
        root = work / "iceberg"
        fill_s = fill(root, args.n)
        table = ensure_table(open_catalog(root), FINDINGS)
        compact(table, FINDINGS)
        table.refresh()
        snap = table.current_snapshot().snapshot_id
        files = [t.file.file_path.removeprefix("file://") for t in table.scan().plan_files()]
        print(f"filled {args.n} findings in {fill_s:.1f}s; {len(files)} data files after compaction", flush=True)
        server = LocalTrino(root, port=free_ports(1)[0], run_dir=work / "trino-run")
        t0 = time.monotonic()
        server.start(wait=900)
        start_s = time.monotonic() - t0
        con = duckdb.connect()
        con.execute(f"create view findings as select * from read_parquet([{', '.join(repr(f) for f in files)}])")
        results: dict[str, dict[str, float]] = {}
        try:
            for name, sql in QUERIES.items():
                tq = sql.format(t=f"finops.findings for version as of {snap}")
                dq = sql.format(t="findings")
                got = [list(map(str, r)) for r in server.query(tq)]
                want = [list(map(str, r)) for r in con.execute(dq).fetchall()]
                if got != want:
                    raise SystemExit(f"{name}: trino {got[:3]} != duckdb {want[:3]}")
                trino_s = timed(lambda tq=tq: server.query(tq), args.repeats)
                duck_s = timed(lambda dq=dq: con.execute(dq).fetchall(), args.repeats)
                results[name] = {"trino_s": round(trino_s, 3), "duckdb_s": round(duck_s, 3),
                                 "ratio": round(trino_s / duck_s, 1) if duck_s else 0.0}
                print(name, results[name], flush=True)
        finally:
            server.stop()
        print(json.dumps({"n": args.n, "fill_seconds": round(fill_s, 1), "trino_start_seconds": round(start_s, 1),
                          "data_files": len(files), "queries": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
