"""Benchmark: one jobs window over 1M findings (+ 10M CUR fact rows), time per stage, against a
bare DuckDB join of the same data in the same run.

Generates (vectorized, in DuckDB) `--findings` finding rows = resources x `--runs` scan runs over
`--tenants` tenants, written as the stream writes them (hive paths, topic+partition+offset file
names, FINDING_SCHEMA, rows sorted by offset), a scan summary per tenant/account/region/run, and
`--cur-rows` cost facts (FACTS_SCHEMA) billed to half of the resources. The last run drops 5% of
the resources, so the lifecycle has resolutions to find; details tie volumes to instances and
snapshots to volumes, so correlation rules fire. Fingerprints are sha256 of the identity fields
(not re-derived through contracts.cast, which would dominate generation time).

Then prints, median of `--repeat`:
  window        JobRunner.run_window() from cold (load, lifecycle, enrich, suppress, correlate,
                documents, write) with the seconds of each stage
  incremental   a second window after one new 1k-row file lands for one tenant (what the
                window derived from the unchanged bill is reused: jobs/facts_cache.py)
  baseline      bare DuckDB: latest row per fingerprint JOIN facts summed per resource (30 days)
and the ratio window / baseline.

    .venv/bin/python bench/jobs.py                                  # 1M findings, 10M CUR rows
    .venv/bin/python bench/jobs.py --findings 100000 --cur-rows 1000000
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as `python bench/jobs.py`, this file's folder comes first on sys.path and the module
# would shadow the `jobs` package it benchmarks.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import argparse  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402

import duckdb  # noqa: E402
import pyarrow.compute as pc  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from contracts.scan_schema import SCAN_SCHEMA  # noqa: E402
from contracts.schema import FINDING_SCHEMA  # noqa: E402
from jobs import facts_cache  # noqa: E402
from jobs.window import JobPaths, JobRunner  # noqa: E402

T0 = datetime(2026, 11, 1, tzinfo=UTC)
TOPIC = "finops.findings.raw.v1"
# (check id, resource type, service, ARN resource part prefix, id prefix)
CHECKS = [
    ("ec2_instance_stopped_long", "AWS::EC2::Instance", "ec2", "instance/", "i-"),
    ("ec2_ebs_volume_on_stopped_instance", "AWS::EC2::Volume", "ec2", "volume/", "vol-"),
    ("ec2_ebs_volume_unattached", "AWS::EC2::Volume", "ec2", "volume/", "vol-"),
    ("ec2_ebs_snapshot_old", "AWS::EC2::Snapshot", "ec2", "snapshot/", "snap-"),
    ("ec2_instance_low_utilization", "AWS::EC2::Instance", "ec2", "instance/", "i-"),
    ("ec2_instance_graviton_candidate", "AWS::EC2::Instance", "ec2", "instance/", "i-"),
    ("rds_instance_idle", "AWS::RDS::DBInstance", "rds", "db:", "db-"),
    ("ec2_nat_gateway_idle", "AWS::EC2::NatGateway", "ec2", "natgateway/", "nat-"),
]
ACCOUNTS = 10
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]


def _checks_sql() -> str:
    rows = ", ".join(f"({i}, '{c}', '{t}', '{s}', '{a}', '{p}')"
                     for i, (c, t, s, a, p) in enumerate(CHECKS))
    return f"SELECT * FROM (VALUES {rows}) AS c(k, check_id, rtype, service, arn_part, prefix)"


# (resource type, catalog key, monthly quantity, list price) of the bench's priced term
PRICED = [
    ("AWS::EC2::Instance", "ec2:m5.large:linux:hour", "730", "0.096"),
    ("AWS::EC2::Volume", "ebs:gp2:gb-month", "100", "0.10"),
    ("AWS::EC2::Snapshot", "ebs:snapshot:gb-month", "50", "0.05"),
    ("AWS::RDS::DBInstance", "rds:db.m5.large:postgresql:hour", "730", "0.178"),
    ("AWS::EC2::NatGateway", "vpc:nat-gateway:hour", "730", "0.045"),
]


def _prices_sql() -> str:
    rows = ", ".join(f"('{t}', '{k}', '{q}', '{p}')" for t, k, q, p in PRICED)
    return f"SELECT * FROM (VALUES {rows}) AS p(rtype, pkey, pqty, pprice)"


def generate_findings(con: duckdb.DuckDBPyConnection, n: int, runs: int, tenants: int) -> None:
    """Table `gen`: n finding rows (n // runs resources, each reported by each run)."""
    resources = n // runs
    con.execute(f"""
        CREATE OR REPLACE TABLE res AS
        WITH r AS (SELECT range AS i FROM range({resources}))
        SELECT r.i, 't' || (r.i % {tenants}) AS tenant_id,
               lpad(CAST(100000000000 + (r.i // {tenants}) % {ACCOUNTS} AS VARCHAR), 12, '0')
                   AS account_id,
               ['{"','".join(REGIONS)}'][1 + (r.i // {tenants * ACCOUNTS}) % {len(REGIONS)}]
                   AS region,
               c.check_id, c.rtype, c.service,
               -- pairs: an instance i and the volume i+1 / snapshot of volume i-1 share a key
               c.prefix || printf('%08x', r.i) AS rid, c.arn_part, r.i // 8 AS grp,
               p.pkey, p.pqty, p.pprice
        FROM r JOIN ({_checks_sql()}) c ON c.k = r.i % {len(CHECKS)}
        JOIN ({_prices_sql()}) p ON p.rtype = c.rtype
    """)
    con.execute(f"""
        CREATE OR REPLACE TABLE gen AS
        SELECT tenant_id, 'default' AS workspace, account_id, region, service, check_id,
               rtype AS resource_type,
               'arn:aws:' || (CASE WHEN service = 'rds' THEN 'rds' ELSE 'ec2' END) || ':' || region
                   || ':' || account_id || ':' || arn_part || rid AS resource_id,
               NULL::VARCHAR AS resource_name, '' AS scope, check_id || ' ' || rid AS title,
               'medium' AS severity, 'open' AS status,
               CAST((i % 9973) / 100.0 + 1 AS DECIMAL(18,2)) AS estimated_monthly_savings,
               'USD' AS currency, 'price list' AS savings_formula, 0.8 AS confidence,
               'arn:' || rid || '#disposition' AS alternative_group,
               MAP {{}}::MAP(VARCHAR, VARCHAR) AS tags,
               -- the correlation keys, plus the catalog-priced terms every real check
               -- writes (checks/pricing.py), which the window re-prices from the bill
               json_merge_patch(CASE check_id
                 WHEN 'ec2_ebs_volume_on_stopped_instance'
                   THEN '{{"instances":"[\\"i-' || printf('%08x', i - 1) || '\\"]"}}'
                 WHEN 'ec2_ebs_snapshot_old'
                   THEN '{{"volume_id":"vol-' || printf('%08x', i - 1) || '"}}'
                 WHEN 'ec2_nat_gateway_idle' THEN '{{"vpc_id":"vpc-' || grp || '"}}'
                 ELSE '{{}}' END,
                   to_json({{'price_terms': '[["' || pkey || '","' || pqty || '",1]]',
                              'prices': '{{"' || pkey || '":"' || pprice || ' USD/x"}}'}}))
                   AS details,
               []::VARCHAR[] AS source_fingerprints,
               TIMESTAMPTZ '{T0.isoformat()}' + run * INTERVAL 1 HOUR AS observed_at,
               'run-' || run AS run_id,
               sha256(tenant_id || '|' || check_id || '|' || account_id || '|' || region || '|'
                      || rid) AS fingerprint,
               sha256(tenant_id || '|' || check_id || '|' || account_id || '|' || region || '|'
                      || rid) AS finding_id,
               'stable' AS id_mode, 1 AS schema_version, run, i
        FROM res, range({runs}) AS t(run)
        -- the last run no longer reports 5% of the resources: they resolve
        WHERE NOT (run = {runs - 1} AND i % 20 = 0)
    """)


def write_findings(con: duckdb.DuckDBPyConnection, root: Path, file_rows: int,
                   partitions: int = 6) -> int:
    """Stream-shaped Parquet files of `gen`; returns the number of files."""
    con.execute(f"""CREATE OR REPLACE TABLE gen2 AS
        SELECT *, CAST(hash(fingerprint) % {partitions} AS INTEGER) AS source_partition
        FROM gen""")
    con.execute("""CREATE OR REPLACE TABLE gen3 AS
        SELECT *, row_number() OVER (PARTITION BY source_partition ORDER BY run, i) - 1
                  AS source_offset FROM gen2""")
    files = 0
    names = [f.name for f in FINDING_SCHEMA]
    cols = ", ".join(f"'{TOPIC}' AS source_topic" if c == "source_topic" else c for c in names)
    for tenant, part in con.execute(
            "SELECT DISTINCT tenant_id, source_partition FROM gen3 ORDER BY 1, 2").fetchall():
        rows = con.sql(f"SELECT {cols} FROM gen3 WHERE tenant_id = '{tenant}'"
                       f" AND source_partition = {part} ORDER BY source_offset").to_arrow_table()
        rows = rows.cast(FINDING_SCHEMA)
        for start in range(0, rows.num_rows, file_rows):
            chunk = rows.slice(start, file_rows)
            first = chunk.column("source_offset")[0].as_py()
            path = (root / f"tenant_id={tenant}" / "dt=2026-11-01"
                    / f"{TOPIC}+{part}+{first:019d}.parquet")
            path.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(chunk, path)
            files += 1
    return files


def write_scans(con: duckdb.DuckDBPyConnection, root: Path, checks: list[str], runs: int) -> None:
    keys = ", ".join(f"'{c}'" for c in checks)
    table = con.sql(f"""
        SELECT *, 'finops.scans.v1' AS source_topic, 0 AS source_partition,
               row_number() OVER (ORDER BY tenant_id, run_id, account_id, region) - 1
                   AS source_offset
        FROM (
        SELECT tenant_id, 'default' AS workspace, account_id, region, 'run-' || run AS run_id,
               TIMESTAMPTZ '{T0.isoformat()}' + run * INTERVAL 1 HOUR - INTERVAL 1 MINUTE
                   AS started_at,
               TIMESTAMPTZ '{T0.isoformat()}' + run * INTERVAL 1 HOUR + INTERVAL 1 MINUTE
                   AS finished_at, 'ok' AS status,
               map([{keys}], [{', '.join('0' for _ in checks)}]) AS check_counts,
               MAP {{}}::MAP(VARCHAR, BIGINT) AS resources_seen,
               []::STRUCT(account_id VARCHAR, region VARCHAR, service VARCHAR,
                          operation VARCHAR, check_id VARCHAR, code VARCHAR,
                          message VARCHAR)[] AS errors,
               120.0 AS duration_s
        -- every scope is scanned every run, also when it reports nothing any more
        FROM (SELECT DISTINCT tenant_id, account_id, region FROM res), range({runs}) AS t(run))
        ORDER BY source_offset""").to_arrow_table()
    table = table.cast(SCAN_SCHEMA)
    for tenant in sorted(set(table.column("tenant_id").to_pylist())):
        part = table.filter(pc.equal(table.column("tenant_id"), tenant))
        first = part.column("source_offset")[0].as_py()
        path = (root / f"tenant_id={tenant}" / "dt=2026-11-01"
                / f"finops.scans.v1+0+{first:019d}.parquet")
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(part, path)


def write_facts(con: duckdb.DuckDBPyConnection, root: Path, rows: int) -> None:
    """`rows` hourly cost facts over half of the resources (of every tenant) (FACTS_SCHEMA)."""
    from jobs.cur.facts_schema import FACTS_SCHEMA

    billed = con.execute("SELECT count(*) FROM res WHERE (i // 2) % 2 = 0").fetchall()[0][0]
    per = max(1, rows // max(billed, 1))
    root.mkdir(parents=True, exist_ok=True)
    con.execute(f"""
        COPY (
            SELECT r.tenant_id, '2026-10' AS billing_month, 'aws' AS provider,
                   r.account_id AS billing_account_id, r.account_id, r.region,
                   CASE WHEN r.service = 'rds' THEN 'AmazonRDS' ELSE 'AmazonEC2' END AS service,
                   'arn:aws:' || (CASE WHEN r.service = 'rds' THEN 'rds' ELSE 'ec2' END) || ':'
                       || r.region || ':' || r.account_id || ':' || r.arn_part || r.rid
                       AS resource_id,
                   r.rid AS resource_id_raw,
                   TIMESTAMPTZ '{T0.isoformat()}' - (h + 1) * INTERVAL 1 HOUR AS usage_start,
                   TIMESTAMPTZ '{T0.isoformat()}' - h * INTERVAL 1 HOUR AS usage_end,
                   CASE WHEN r.i % 8 = 0 THEN 'DiscountedUsage' ELSE 'Usage' END
                       AS line_item_type, 'Usage' AS charge_category,
                   0.01 * (1 + r.i % 7) AS cost_primary, 0.01 * (1 + r.i % 7) AS cost_effective,
                   0.012 * (1 + r.i % 7) AS cost_list, 'USD' AS currency, 1.0 AS usage_amount,
                   'Hrs' AS usage_unit, MAP {{}}::MAP(VARCHAR, VARCHAR) AS tags,
                   'bench.parquet' AS source_file, 'bench' AS source_variant,
                   CASE WHEN r.rtype = 'AWS::EC2::Volume' THEN 'EBS:VolumeUsage.gp2'
                        WHEN r.rtype = 'AWS::EC2::Snapshot' THEN 'EBS:SnapshotUsage'
                        WHEN r.rtype = 'AWS::EC2::NatGateway' THEN 'NatGateway-Hours'
                        WHEN r.service = 'rds' THEN 'InstanceUsage:db.m5.large'
                        ELSE 'BoxUsage:m5.large' END AS usage_type,
                   CASE WHEN r.service = 'rds' THEN 'CreateDBInstance:0014'
                        ELSE 'RunInstances' END AS operation,
                   'SKU' || (r.i % 97) AS sku_id,
                   -- a quarter of the usage is covered by a commitment (its effective cost)
                   CASE WHEN r.i % 8 = 0 THEN 'Committed' ELSE 'Standard' END
                       AS pricing_category,
                   CASE WHEN r.i % 8 = 0 THEN 'Reservation' END AS commitment_type
            FROM res r, range({per}) AS t(h) WHERE (r.i // 2) % 2 = 0
        ) TO '{root}' (FORMAT parquet, PER_THREAD_OUTPUT true)
    """)
    # the facts must be exactly FACTS_SCHEMA (types, nullability of the stored files)
    for path in sorted(root.glob("*.parquet")):
        pq.write_table(pq.read_table(path).select(FACTS_SCHEMA.names).cast(FACTS_SCHEMA), path)


def baseline(findings_dir: Path, facts_dir: Path) -> float:
    """The bare DuckDB join of the same data: latest row per fingerprint + 30-day cost."""
    con = duckdb.connect()
    t0 = time.perf_counter()
    con.execute(f"""
        CREATE TABLE out AS
        WITH latest AS (
            SELECT * FROM read_parquet('{findings_dir}/**/*.parquet', hive_partitioning=false)
            QUALIFY row_number() OVER (PARTITION BY fingerprint ORDER BY observed_at DESC) = 1
        ),
        cost AS (
            SELECT resource_id, sum(cost_effective) AS c30
            FROM read_parquet('{facts_dir}/**/*.parquet', hive_partitioning=false)
            WHERE usage_start >= TIMESTAMPTZ '{(T0 - timedelta(days=30)).isoformat()}'
            GROUP BY resource_id
        )
        SELECT l.*, c.c30 FROM latest l LEFT JOIN cost c USING (resource_id)
    """)
    elapsed = time.perf_counter() - t0
    con.close()
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--findings", type=int, default=1_000_000)
    ap.add_argument("--cur-rows", type=int, default=10_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--tenants", type=int, default=2)
    ap.add_argument("--file-rows", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--threads", type=int, default=None)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-jobs-") as tmp:
        base = Path(tmp) / "data"
        t0 = time.perf_counter()
        con = duckdb.connect()
        con.execute("SET TimeZone='UTC'")
        generate_findings(con, args.findings, args.runs, args.tenants)
        n_rows = con.execute("SELECT count(*) FROM gen").fetchall()[0][0]
        files = write_findings(con, base / "findings", args.file_rows)
        write_scans(con, base / "scans", [c[0] for c in CHECKS], args.runs)
        write_facts(con, base / "cur_facts", args.cur_rows)
        facts = duckdb.sql(f"SELECT count(*) FROM read_parquet('{base}/cur_facts/*.parquet')"
                           ).fetchall()[0][0]
        print(f"generated {n_rows:,} finding rows in {files} files, {facts:,} CUR fact rows "
              f"({time.perf_counter() - t0:.1f} s)")

        windows, incrementals, stages = [], [], []
        for k in range(args.repeat):
            paths = JobPaths.under(base)
            paths = JobPaths(paths.findings_dir, paths.scans_dir, base / f"snapshots{k}",
                             paths.facts_dir, paths.suppressions_dir)
            facts_cache.clear()  # cold: a fresh jobs process has derived nothing from the bill
            runner = JobRunner(paths, threads=args.threads)
            t1 = time.perf_counter()
            report = runner.run_window()
            windows.append(time.perf_counter() - t1)
            stages.append(report.stages)
            # one more file for one tenant: the next window only reloads it and rebuilds t0
            extra = con.sql(f"SELECT * FROM ({_latest_file(con)})").to_arrow_table()
            path = (base / "findings" / "tenant_id=t0" / "dt=2026-11-01"
                    / f"{TOPIC}+99+{k:019d}.parquet")
            pq.write_table(extra.cast(FINDING_SCHEMA), path)
            t1 = time.perf_counter()
            inc = runner.run_window()
            incrementals.append(time.perf_counter() - t1)
            path.unlink()
            runner.close()
            print(f"  run {k}: window {windows[-1]:.2f} s (tenants {report.tenants_written}), "
                  f"incremental {incrementals[-1]:.2f} s (tenants {inc.tenants_written})")
        bases = [baseline(base / "findings", base / "cur_facts") for _ in range(args.repeat)]

    w, i, b = (statistics.median(x) for x in (windows, incrementals, bases))
    print(f"\nfindings rows {n_rows:,}, CUR rows {facts:,}, median of {args.repeat}")
    print(f"  window (cold)            {w:8.2f} s   {n_rows / w:12,.0f} rows/s")
    for name in sorted(stages[0]):
        print(f"    {name:<22} {statistics.median(s[name] for s in stages):8.2f} s")
    print(f"  incremental window       {i:8.2f} s   (1 new file, 1 tenant)")
    print(f"  bare DuckDB join         {b:8.2f} s")
    print(f"  ratio window / bare join {w / b:8.1f}x   incremental / cold {i / w:6.2f}")


def _latest_file(con: duckdb.DuckDBPyConnection) -> str:
    names = [f.name for f in FINDING_SCHEMA]
    cols = ", ".join(
        f"'{TOPIC}' AS source_topic" if c == "source_topic"
        else "99 AS source_partition" if c == "source_partition"
        else "row_number() OVER (ORDER BY i) - 1 AS source_offset" if c == "source_offset"
        else "observed_at + INTERVAL 1 HOUR AS observed_at" if c == "observed_at"
        else "'run-next' AS run_id" if c == "run_id" else c
        for c in names)
    return f"SELECT {cols} FROM gen WHERE tenant_id = 't0' AND run = 0 ORDER BY i LIMIT 1000"


if __name__ == "__main__":
    main()
