"""Benchmark: CUR normalization and findings enrichment at scale, against bare DuckDB in the same run.

Generates `--rows` CUR line items shaped like the shared Workshop bill (its Oct 2018 rows repeated,
each copy with its own resources and a rotating usage account) and `--findings` findings (half on
billed resources, a quarter in billed scopes, a quarter unknown), then prints median wall time and
rows/s of:
  normalize   jobs.cur.normalize.normalize over the generated Parquet
  baseline    a bare DuckDB GROUP BY (account, product, resource) over the same raw Parquet
  enrich      jobs.cur.enrich.enrich_findings(findings, facts)
  baseline    a bare DuckDB GROUP BY resource_id over the facts Parquet
and the ratios. Target (issue 4): enrich 1M findings against 10M rows < 10 s, within 2x of the bare
GROUP BY.

    .venv/bin/python bench/cur.py                      # 10M rows, 1M findings
    .venv/bin/python bench/cur.py --rows 1000000 --findings 100000 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

# `python bench/cur.py` puts bench/ first on sys.path, where bench/jobs.py would shadow the `jobs`
# package: import from the repository root instead.
_HERE = Path(__file__).resolve().parent
# Cap DuckDB's memory: the default (80% of RAM) gets OOM-killed on a host shared with others.
os.environ.setdefault("FINOPS_DUCKDB_MEMORY_LIMIT", "6GB")
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import duckdb  # noqa: E402
import pyarrow as pa  # noqa: E402

from contracts.schema import FINDING_SCHEMA  # noqa: E402
from jobs.cur.enrich import enrich_findings  # noqa: E402
from jobs.cur.normalize import connect, normalize  # noqa: E402

WORKSHOP = (
    Path(__file__).resolve().parents[1]
    / ".."
    / "shared"
    / "data"
    / "aws-well-architected-labs"
    / "Oct2018-WorkshopCUR-00001.snappy.parquet"
)
# The columns the CUR mapping reads (identity, bill, line item, pricing, reservation, tags).
KEEP_PREFIXES = (
    "identity_",
    "bill_",
    "line_item_",
    "pricing_",
    "reservation_",
    "resource_tags_",
    "product_region",
)
ACCOUNTS = [f"{100000000000 + i * 7919:012d}" for i in range(20)]


def generate_cur(rows: int, out_dir: Path) -> Path:
    """`rows` legacy-CUR line items: Workshop rows repeated; copy k re-ids every resource."""
    out_dir.mkdir(parents=True, exist_ok=True)
    con = connect()
    base = con.sql(f"SELECT count(*) FROM read_parquet('{WORKSHOP}')").fetchall()[0][0]
    copies = -(-rows // base)
    accounts = "[" + ", ".join(f"'{a}'" for a in ACCOUNTS) + "]"
    target = out_dir / "bench-cur.parquet"
    cols = [
        r[0]
        for r in con.sql(f"DESCRIBE SELECT * FROM read_parquet('{WORKSHOP}')").fetchall()
        if r[0].startswith(KEEP_PREFIXES)
        and r[0] not in ("line_item_resource_id", "line_item_usage_account_id")
    ]
    con.execute(
        f"""COPY (
            SELECT {", ".join(cols)},
                CASE WHEN starts_with(line_item_resource_id, 'i-')
                       OR starts_with(line_item_resource_id, 'vol-')
                     THEN left(line_item_resource_id, -4) || printf('%04x', k)
                     WHEN line_item_resource_id <> '' THEN line_item_resource_id || '-' || k
                     ELSE line_item_resource_id END AS line_item_resource_id,
                {accounts}[1 + k % {len(ACCOUNTS)}] AS line_item_usage_account_id
            FROM read_parquet('{WORKSHOP}', file_row_number = true), range({copies}) t(k)
            WHERE k * {base} + file_row_number < {rows}
        ) TO '{target}' (FORMAT parquet, COMPRESSION zstd)"""
    )
    return target


def make_findings(n: int, facts_dir: Path) -> pa.Table:
    """`n` findings of FINDING_SCHEMA, built column-wise (the contract cast is per row)."""
    con = duckdb.connect()
    facts = f"read_parquet('{facts_dir}/**/*.parquet', hive_partitioning = false)"
    billed = con.sql(
        f"SELECT DISTINCT resource_id, account_id, region, service FROM {facts} "
        "WHERE resource_id LIKE 'arn:aws:ec2:%' ORDER BY resource_id"
    ).fetchall()
    keys = []
    for i in range(n):
        rid, acct, region, _svc = billed[i % len(billed)]
        kind = i % 4
        if kind in (0, 1):
            keys.append((rid, acct, region))  # exact
        elif kind == 2:
            keys.append((f"arn:aws:ec2:{region}:{acct}:volume/vol-bench{i:012x}", acct, region))
        else:
            keys.append(
                (
                    f"arn:aws:ec2:us-east-1:999999999999:volume/vol-x{i:012x}",
                    "999999999999",
                    "us-east-1",
                )
            )
    now = datetime(2018, 11, 1, tzinfo=UTC)
    cols: dict[str, pa.Array] = {}
    const = {
        "tenant_id": "default",
        "workspace": "default",
        "service": "ebs",
        "check_id": "bench",
        "resource_type": "AWS::EC2::Volume",
        "resource_name": None,
        "scope": "",
        "title": "bench",
        "severity": "medium",
        "status": "open",
        "currency": "USD",
        "savings_formula": "bench",
        "confidence": 0.8,
        "alternative_group": None,
        "details": "{}",
        "observed_at": now,
        "run_id": "",
        "id_mode": "stable",
        "schema_version": 1,
        "source_topic": "bench",
        "source_partition": 0,
    }
    for f in FINDING_SCHEMA:
        if f.name in const:
            cols[f.name] = pa.array([const[f.name]] * n, f.type)
    cols["resource_id"] = pa.array([k[0] for k in keys], pa.string())
    cols["account_id"] = pa.array([k[1] for k in keys], pa.string())
    cols["region"] = pa.array([k[2] for k in keys], pa.string())
    cols["estimated_monthly_savings"] = pa.array([i % 100 for i in range(n)], pa.int32()).cast(
        FINDING_SCHEMA.field("estimated_monthly_savings").type
    )
    cols["tags"] = pa.array([[]] * n, FINDING_SCHEMA.field("tags").type)
    cols["source_fingerprints"] = pa.array(
        [[]] * n, FINDING_SCHEMA.field("source_fingerprints").type
    )
    ids = pa.array([f"{i:064x}" for i in range(n)], pa.string())
    cols["fingerprint"] = ids
    cols["finding_id"] = ids
    cols["source_offset"] = pa.array(range(n), pa.int64())
    return pa.Table.from_arrays([cols[f.name] for f in FINDING_SCHEMA], schema=FINDING_SCHEMA)


def timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--findings", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--normalize-repeat", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-cur-") as tmp:
        base = Path(tmp)
        t0 = time.perf_counter()
        raw = generate_cur(args.rows, base / "raw")
        print(f"generated {args.rows:,} CUR rows in {time.perf_counter() - t0:.1f} s (not timed)")

        con = connect()
        bare_raw, _ = timed(
            lambda: con.sql(
                f"SELECT line_item_usage_account_id, line_item_product_code, line_item_resource_id, "
                f"sum(line_item_unblended_cost) FROM read_parquet('{raw}') GROUP BY ALL"
            ).fetchall(),
            args.repeat,
        )
        norm, report = timed(lambda: normalize(base / "raw", base / "facts"), args.normalize_repeat)
        print(
            f"normalize  {norm:8.2f} s  {args.rows / norm:12,.0f} rows/s  "
            f"(facts rows {report.rows:,})"
        )
        print(
            f"bare GROUP BY over raw Parquet {bare_raw:8.2f} s  "
            f"{args.rows / bare_raw:12,.0f} rows/s  ratio normalize/bare {norm / bare_raw:.1f}x"
        )

        findings = make_findings(args.findings, base / "facts")
        facts_glob = f"read_parquet('{base / 'facts'}/**/*.parquet', hive_partitioning = false)"
        bare, _ = timed(
            lambda: con.sql(
                f"SELECT resource_id, sum(cost_effective) FROM {facts_glob} GROUP BY ALL"
            ).fetchall(),
            args.repeat,
        )
        keys = findings.select(["tenant_id", "resource_id"]).append_column(
            "row_no", pa.array(range(findings.num_rows), pa.int64())
        )
        con.register("bench_keys", keys)
        floor, _ = timed(
            lambda: con.sql(
                f"SELECT k.row_no, g.c FROM bench_keys k LEFT JOIN (SELECT tenant_id, resource_id, "
                f"sum(cost_effective) AS c FROM {facts_glob} GROUP BY ALL) g "
                "ON g.tenant_id = k.tenant_id AND g.resource_id = k.resource_id ORDER BY k.row_no"
            ).to_arrow_table(),
            args.repeat,
        )
        enrich, out = timed(lambda: enrich_findings(findings, base / "facts"), args.repeat)
        methods = out.group_by("attribution_method").aggregate([("attribution_method", "count")])
        counts = dict(zip(*methods.to_pydict().values(), strict=True))
        print(
            f"enrich     {enrich:8.2f} s  {args.findings / enrich:12,.0f} findings/s  "
            f"against {report.rows:,} fact rows  {counts}"
        )
        print(
            f"bare GROUP BY resource_id over facts {bare:8.2f} s  "
            f"ratio enrich/bare {enrich / bare:.2f}x  (target < 10 s and < 2x)"
        )
        print(
            f"bare GROUP BY + LEFT JOIN of the findings, ordered {floor:8.2f} s  "
            f"ratio enrich/that {enrich / floor:.2f}x"
        )


if __name__ == "__main__":
    main()
