"""Normalization on the real shared billing files: variants, totals, drift, determinism, bad files."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from contracts.arn import canonical_arn
from jobs.cur.facts_schema import FACTS_SCHEMA
from jobs.cur.names import cur_snake
from jobs.cur.normalize import normalize
from jobs.cur.variants import FOCUS_SERVICE_CODES


def facts_sql(facts_dir: Path) -> str:
    return f"read_parquet('{facts_dir}/**/*.parquet', hive_partitioning = false)"


def con() -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    c.execute("SET TimeZone = 'UTC'")
    return c


def test_real_files_normalize_and_the_non_bill_is_reported(real_facts):
    facts_dir, report = real_facts
    assert report.variants == {
        "BeforeCUR.gz": "cur1/athena-text",
        "Nov2018-WorkshopCUR-00001.snappy.parquet": "cur1/parquet",
        "Oct2018-WorkshopCUR-00001.snappy.parquet": "cur1/parquet",
        "focus_sample.csv": "focus-1.0/csv",
    }
    assert [p.path for p in report.problems] == ["7_day_EC2_RI_Rec.csv"]
    assert "no billing variant" in report.problems[0].reason
    for f in facts_dir.rglob("*.parquet"):
        assert pq.read_schema(f).remove_metadata() == FACTS_SCHEMA.remove_metadata()
    months = sorted(p.name for p in facts_dir.glob("tenant_id=acme/*"))
    assert months == [
        f"billing_month={m}" for m in ("2018-10", "2018-11", "2019-11", "2024-09", "2024-10")
    ]


@pytest.mark.parametrize("name", ["OCT", "NOV"])
def test_legacy_parquet_totals_per_account_service_month(real_facts, raw, name):
    facts_dir, _ = real_facts
    path = getattr(raw, name)
    c = con()
    expected = c.sql(
        f"SELECT line_item_usage_account_id, line_item_product_code, "
        f"strftime(bill_billing_period_start_date, '%Y-%m'), sum(line_item_unblended_cost) "
        f"FROM read_parquet('{path}') GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    got = c.sql(
        f"SELECT account_id, service, billing_month, sum(cost_primary) FROM {facts_sql(facts_dir)} "
        f"WHERE source_file = '{path.name}' GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    assert [g[:3] for g in got] == [e[:3] for e in expected]
    for g, e in zip(got, expected, strict=True):
        assert g[3] == pytest.approx(e[3], abs=0.01), g[:3]


def test_athena_text_totals_match_a_direct_read(real_facts, raw):
    facts_dir, _ = real_facts
    c = con()
    expected = c.sql(
        f"SELECT line_item_usage_account_id, line_item_product_code, "
        f"sum(CAST(line_item_unblended_cost AS DOUBLE)) FROM read_csv('{raw.BEFORE}', "
        "delim = chr(1), quote = '', header = true, all_varchar = true, nullstr = '\\N') "
        "GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    got = c.sql(
        f"SELECT account_id, service, sum(cost_primary) FROM {facts_sql(facts_dir)} "
        "WHERE source_file = 'BeforeCUR.gz' GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    assert len(expected) > 5
    assert [g[:2] for g in got] == [e[:2] for e in expected]
    for g, e in zip(got, expected, strict=True):
        assert g[2] == pytest.approx(e[2], abs=0.01)
    total = sum(g[2] for g in got)
    assert total == pytest.approx(89.17, abs=0.01)  # SOURCE.md


def test_focus_totals_per_account_service_month(real_facts, raw):
    facts_dir, _ = real_facts
    c = con()
    expected = c.sql(
        f"SELECT SubAccountId, ServiceName, strftime(BillingPeriodStart, '%Y-%m'), sum(BilledCost), "
        f"sum(EffectiveCost) FROM read_csv('{raw.FOCUS}', nullstr = 'NULL') GROUP BY ALL"
    ).fetchall()
    got = c.sql(
        f"SELECT account_id, service, billing_month, sum(cost_primary), sum(cost_effective) "
        f"FROM {facts_sql(facts_dir)} WHERE source_file = 'focus_sample.csv' GROUP BY ALL"
    ).fetchall()
    want = {(a, FOCUS_SERVICE_CODES.get(s, s), m): (b, e) for a, s, m, b, e in expected}
    have = {(a, s, m): (b, e) for a, s, m, b, e in got}
    assert have.keys() == want.keys()
    for key, (billed, effective) in want.items():
        assert have[key][0] == pytest.approx(billed, abs=0.01), key
        assert have[key][1] == pytest.approx(effective, abs=0.01), key


def test_focus_tags_json_become_a_sorted_map(real_facts, raw):
    facts_dir, _ = real_facts
    c = con()
    tagged = c.sql(
        f"SELECT count(*) FROM read_csv('{raw.FOCUS}', nullstr = 'NULL') WHERE Tags IS NOT NULL "
        "AND Tags <> '{}'"
    ).fetchall()[0][0]
    got = c.sql(
        f"SELECT count(*) FROM {facts_sql(facts_dir)} WHERE source_file = 'focus_sample.csv' "
        "AND cardinality(tags) > 0"
    ).fetchall()[0][0]
    assert got == tagged > 500
    table = pq.read_table(next(facts_dir.glob("tenant_id=acme/billing_month=2024-09/*.parquet")))
    for tags in table.column("tags").to_pylist():
        keys = [k for k, _ in tags]
        assert keys == sorted(keys)


def test_months_with_different_tag_columns_merge(real_facts, raw):
    """Nov 2018 has `resource_tags_user_tag21_nov`, Oct does not; both land in one schema."""
    facts_dir, _ = real_facts
    c = con()
    nov_rows = c.sql(
        f"SELECT count(*) FROM read_parquet('{raw.NOV}') "
        "WHERE NULLIF(resource_tags_user_tag21_nov, '') IS NOT NULL"
    ).fetchall()[0][0]
    got = c.sql(
        f"SELECT billing_month, count(*) FROM {facts_sql(facts_dir)} "
        "WHERE map_contains(tags, 'tag21_nov') GROUP BY ALL"
    ).fetchall()
    assert got == ([("2018-11", nov_rows)] if nov_rows else [])
    env = c.sql(
        f"SELECT count(*) FROM {facts_sql(facts_dir)} WHERE billing_month IN ('2018-10', '2018-11') "
        "AND map_contains(tags, 'environment')"
    ).fetchall()[0][0]
    raw_env = c.sql(
        f"SELECT count(*) FROM read_parquet(['{raw.OCT}', '{raw.NOV}'], union_by_name = true) "
        "WHERE NULLIF(resource_tags_user_environment, '') IS NOT NULL"
    ).fetchall()[0][0]
    assert env == raw_env > 0


def test_bare_ids_and_arns_normalize_to_one_canonical_arn(real_facts):
    """The Workshop bill names i-0ed9420a261b3f355 bare under AmazonEC2 and as an ARN under
    AmazonCloudWatch; both become the ARN a finding carries."""
    facts_dir, _ = real_facts
    c = con()
    rows = c.sql(
        f"SELECT DISTINCT resource_id_raw, resource_id FROM {facts_sql(facts_dir)} "
        "WHERE resource_id_raw LIKE '%i-0ed9420a261b3f355'"
    ).fetchall()
    arn = canonical_arn("AWS::EC2::Instance", "i-0ed9420a261b3f355", "836060457634", "us-east-1")
    assert {r[0] for r in rows} == {"i-0ed9420a261b3f355", f"{arn}"}
    assert {r[1] for r in rows} == {arn}
    vols = c.sql(
        f"SELECT resource_id_raw, resource_id, account_id, region FROM {facts_sql(facts_dir)} "
        "WHERE resource_id_raw LIKE 'vol-%' LIMIT 50"
    ).fetchall()
    assert vols
    for raw_id, rid, account, region in vols:
        assert rid == canonical_arn("AWS::EC2::Volume", raw_id, account, region)


def _head(src: Path, target: Path, rows: int) -> None:
    """The first `rows` line items of a real bill, as a Parquet file of its own."""
    target.parent.mkdir(parents=True, exist_ok=True)
    con().execute(f"COPY (SELECT * FROM read_parquet('{src}') LIMIT {rows}) TO '{target}'")


def test_rerun_is_byte_identical_and_adding_a_month_rewrites_only_it(tmp_path, raw):
    src = tmp_path / "raw"
    _head(raw.OCT, src / "oct.parquet", 30000)
    out = tmp_path / "facts"
    first = normalize(src, out, "acme")
    assert first.months_written == ["acme/2018-10"]
    oct_file = next(out.rglob("*.parquet"))
    before = (oct_file.read_bytes(), oct_file.stat().st_mtime_ns)
    _head(raw.NOV, src / "nov.parquet", 30000)
    second = normalize(src, out, "acme")
    assert second.months_written == ["acme/2018-11"]
    assert second.months_unchanged == ["acme/2018-10"]
    assert (oct_file.read_bytes(), oct_file.stat().st_mtime_ns) == before
    other = tmp_path / "facts2"
    normalize(src, other, "acme")
    for f in out.rglob("*.parquet"):
        assert (other / f.relative_to(out)).read_bytes() == f.read_bytes()


def test_bad_files_are_reported_and_the_rest_processed(tmp_path, raw, copy_files):
    src = copy_files(tmp_path / "raw", raw.OCT)
    data = raw.NOV.read_bytes()
    (src / "truncated.parquet").write_bytes(data[: len(data) // 2])
    gz = raw.BEFORE.read_bytes()
    (src / "truncated.gz").write_bytes(gz[: len(gz) // 2])
    (src / "garbage.bin").write_bytes(bytes(range(256)) * 8)
    (src / "empty.csv").write_text("")
    with gzip.open(raw.BEFORE, "rb") as fh:
        fh.readline()  # drop the header row: no manifest either, so the columns are unknown
        (src / "headless.gz").write_bytes(gzip.compress(fh.read(200_000), mtime=0))
    report = normalize(src, tmp_path / "out", "acme")
    assert report.files_ok == ["Oct2018-WorkshopCUR-00001.snappy.parquet"]
    reasons = {p.path: p.reason for p in report.problems}
    assert set(reasons) == {
        "truncated.parquet",
        "truncated.gz",
        "garbage.bin",
        "empty.csv",
        "headless.gz",
    }
    assert "truncated" in reasons["truncated.parquet"].lower()
    assert "no manifest" in reasons["headless.gz"]
    assert "binary" in reasons["garbage.bin"] and "empty" in reasons["empty.csv"]
    assert all(r for r in reasons.values())
    assert report.months_written == ["acme/2018-10"]


def test_cost_typed_as_text_in_one_month_does_not_fail(tmp_path, raw, copy_files):
    src = copy_files(tmp_path / "raw", raw.BEFORE)
    c = con()
    c.execute(
        f"COPY (SELECT * REPLACE (CAST(line_item_unblended_cost AS VARCHAR) AS "
        f"line_item_unblended_cost) FROM read_parquet('{raw.NOV}')) TO '{src / 'nov.parquet'}'"
    )
    report = normalize(src, tmp_path / "out", "acme")
    assert not report.problems
    total = c.sql(
        f"SELECT billing_month, sum(cost_primary) FROM {facts_sql(tmp_path / 'out')} GROUP BY 1 "
        "ORDER BY 1"
    ).fetchall()
    assert [m for m, _ in total] == ["2018-11", "2019-11"]
    assert total[0][1] == pytest.approx(3505.33, abs=0.01)  # SOURCE.md
    assert total[1][1] == pytest.approx(89.17, abs=0.01)


def _write_legacy_csv(src: Path, raw, rows: int) -> Path:
    """A legacy CUR CSV (gzip) with the real `category/Name` headers of the CUR manifest, holding
    the first rows of the Oct 2018 Workshop bill."""
    manifest = json.loads(raw.MANIFEST.read_text())
    headers = {
        cur_snake(f"{c['category']}/{c['name']}"): f"{c['category']}/{c['name']}"
        for c in manifest["columns"]
    }
    c = con()
    cols = [r[0] for r in c.sql(f"DESCRIBE SELECT * FROM read_parquet('{raw.OCT}')").fetchall()]
    dates = {
        "line_item_usage_start_date",
        "line_item_usage_end_date",
        "bill_billing_period_start_date",
        "bill_billing_period_end_date",
    }
    select = ", ".join(
        # AWS writes ISO 8601 with a Z in legacy CSV (e.g. 2018-10-01T00:00:00Z).
        f"""strftime("{n}", '%Y-%m-%dT%H:%M:%SZ') AS "{headers.get(n, n)}\""""
        if n in dates
        else f'"{n}" AS "{headers.get(n, n)}"'
        for n in cols
    )
    target = src / "legacy.csv.gz"
    c.execute(
        f"COPY (SELECT {select} FROM read_parquet('{raw.OCT}') LIMIT {rows}) TO '{target}' "
        "(HEADER, DELIMITER ',', COMPRESSION gzip)"
    )
    return target


def test_every_variant_is_detected_and_sums_match(tmp_path, raw):
    """Legacy CSV (gzip, manifest headers), Athena text without header + manifest, CUR 2.0 maps,
    FOCUS Parquet, FOCUS 1.2: each derived from a real shared file."""
    src = tmp_path / "raw"
    src.mkdir()
    c = con()
    csv_path = _write_legacy_csv(src, raw, 5000)
    with gzip.open(csv_path, "rt") as fh:
        assert "lineItem/UnblendedCost" in fh.readline()
        assert "2018-10-01T00:00:00Z" in fh.readline()
    headless = src / "athena"
    headless.mkdir()
    with gzip.open(raw.BEFORE, "rb") as fh:
        header = fh.readline().decode().rstrip("\n").split("\x01")
        body = fh.read()
    (headless / "part-0.gz").write_bytes(gzip.compress(body, mtime=0))
    (headless / "columns.json").write_text(json.dumps({"columns": header}))
    tag_cols = [
        r[0]
        for r in c.sql(f"DESCRIBE SELECT * FROM read_parquet('{raw.NOV}')").fetchall()
        if r[0].startswith("resource_tags_")
    ]
    entries = ", ".join(
        f"{{'key': '{t[len('resource_tags_') :]}', 'value': \"{t}\"}}" for t in tag_cols
    )
    c.execute(
        f"COPY (SELECT * EXCLUDE ({', '.join(tag_cols)}, product_region), "
        f"map_from_entries(list_filter([{entries}], lambda e: NULLIF(e.value, '') IS NOT NULL)) "
        f"AS resource_tags, MAP {{'region': product_region}} AS product "
        f"FROM (SELECT * FROM read_parquet('{raw.NOV}') LIMIT 20000)) TO '{src / 'cur2.parquet'}'"
    )
    # CUR 2.0 as CSV: the maps are JSON objects in text columns.
    c.execute(
        f"COPY (SELECT * REPLACE (to_json(resource_tags) AS resource_tags, to_json(product) AS "
        f"product) FROM read_parquet('{src / 'cur2.parquet'}')) TO '{src / 'cur2.csv'}' (HEADER)"
    )
    c.execute(
        f"COPY (SELECT * FROM read_csv('{raw.FOCUS}', nullstr = 'NULL')) "
        f"TO '{src / 'focus.parquet'}'"
    )
    c.execute(
        f"COPY (SELECT *, 'INV-1' AS InvoiceId FROM read_csv('{raw.FOCUS}', nullstr = 'NULL', "
        f"all_varchar = true)) TO '{src / 'focus12.csv'}' (HEADER)"
    )
    report = normalize(src, tmp_path / "out", "acme")
    assert report.problems == []
    assert report.variants == {
        "legacy.csv.gz": "cur1/csv",
        "athena/part-0.gz": "cur1/athena-text",
        "cur2.parquet": "cur2/parquet",
        "cur2.csv": "cur2/csv",
        "focus.parquet": "focus-1.0/parquet",
        "focus12.csv": "focus-1.2/csv",
    }
    facts = facts_sql(tmp_path / "out")
    got = dict(c.sql(f"SELECT source_file, sum(cost_primary) FROM {facts} GROUP BY 1").fetchall())
    oct_5000 = c.sql(
        f"SELECT sum(line_item_unblended_cost) FROM (SELECT * FROM read_parquet('{raw.OCT}') "
        "LIMIT 5000)"
    ).fetchall()[0][0]
    assert got["legacy.csv.gz"] == pytest.approx(oct_5000, abs=0.01)
    months = c.sql(
        f"SELECT DISTINCT billing_month FROM {facts} WHERE source_file = 'legacy.csv.gz'"
    )
    assert months.fetchall() == [("2018-10",)]
    assert got["athena/part-0.gz"] == pytest.approx(89.17, abs=0.01)
    nov_20000 = c.sql(
        f"SELECT sum(line_item_unblended_cost) FROM (SELECT * FROM read_parquet('{raw.NOV}') "
        "LIMIT 20000)"
    ).fetchall()[0][0]
    assert got["cur2.parquet"] == pytest.approx(nov_20000, abs=0.01)
    assert got["focus.parquet"] == pytest.approx(got["focus12.csv"], abs=1e-9)
    # CUR 2.0 tags and region come out as from the legacy Nov file.
    cur2_tags = c.sql(
        f"SELECT count(*) FROM {facts} WHERE source_file = 'cur2.parquet' "
        "AND map_contains(tags, 'environment') AND region IS NOT NULL"
    ).fetchall()[0][0]
    nov_env = c.sql(
        f"SELECT count(*) FROM (SELECT * FROM read_parquet('{raw.NOV}') LIMIT 20000) "
        "WHERE NULLIF(resource_tags_user_environment, '') IS NOT NULL"
    ).fetchall()[0][0]
    assert cur2_tags == nov_env
    same = c.sql(
        f"SELECT count(*) FROM (SELECT usage_start, resource_id, cost_primary, tags, region "
        f"FROM {facts} WHERE source_file = 'cur2.parquet' EXCEPT ALL "
        f"SELECT usage_start, resource_id, cost_primary, tags, region "
        f"FROM {facts} WHERE source_file = 'cur2.csv')"
    ).fetchall()[0][0]
    assert same == 0


def test_tenant_folders_split_the_output(tmp_path, raw, copy_files):
    src = tmp_path / "raw"
    copy_files(src / "tenant_id=beta", raw.BEFORE)
    copy_files(src, raw.FOCUS)
    report = normalize(src, tmp_path / "out")
    assert report.months_written == ["beta/2019-11", "default/2024-09", "default/2024-10"]
    assert report.variants["tenant_id=beta/BeforeCUR.gz"] == "cur1/athena-text"
    tenants = (
        con()
        .sql(f"SELECT DISTINCT tenant_id FROM {facts_sql(tmp_path / 'out')} ORDER BY 1")
        .fetchall()
    )
    assert tenants == [("beta",), ("default",)]
