"""Demo mapping of the Workshop bill onto simulated accounts, and the `finops cur` command."""

from __future__ import annotations

import json

import duckdb
import pyarrow.parquet as pq
import pytest

from finops.cli import main
from jobs.cur.sample import account_mapping, map_sample_to_accounts

ESTATE = ["111111111111", "222222222222"]


def test_account_mapping_is_deterministic_and_cycles():
    assert account_mapping(["b", "a", "c", "a"], ["X", "Y"]) == {"a": "X", "b": "Y", "c": "X"}
    with pytest.raises(ValueError, match="empty"):
        account_mapping(["a"], [])


def test_map_sample_replaces_every_account_and_keeps_costs(tmp_path, raw):
    out = map_sample_to_accounts(raw.OCT, ESTATE, tmp_path / "raw_cur")
    again = map_sample_to_accounts(raw.OCT, ESTATE, tmp_path / "again")
    assert out.read_bytes() == again.read_bytes()
    c = duckdb.connect()
    accounts = c.sql(
        f"SELECT DISTINCT line_item_usage_account_id FROM read_parquet('{out}') "
        f"UNION SELECT DISTINCT bill_payer_account_id FROM read_parquet('{out}')"
    ).fetchall()
    assert {a[0] for a in accounts} <= set(ESTATE)
    leaked = c.sql(
        f"SELECT count(*) FROM read_parquet('{out}') WHERE line_item_resource_id LIKE '%836060457634%'"
        " OR line_item_resource_id LIKE '%011254002932%'"
    ).fetchall()[0][0]
    assert leaked == 0
    total = c.sql(f"SELECT sum(line_item_unblended_cost) FROM read_parquet('{out}')").fetchall()[0][
        0
    ]
    assert total == pytest.approx(4064.48, abs=0.01)
    assert pq.read_metadata(out).num_rows == pq.read_metadata(raw.OCT).num_rows


def test_cli_normalize_enrich_coverage(tmp_path, raw, copy_files, finding_rows, capsys):
    raw_dir = tmp_path / "raw_cur"
    assert (
        main(
            [
                "cur",
                "map-sample",
                "--input",
                str(raw.OCT),
                "--accounts",
                ",".join(ESTATE),
                "--output",
                str(raw_dir),
            ]
        )
        == 0
    )
    (raw_dir / "broken.parquet").write_bytes(b"PAR1 not really")
    capsys.readouterr()
    facts = tmp_path / "facts"
    assert (
        main(
            [
                "cur",
                "normalize",
                "--input",
                str(raw_dir),
                "--output",
                str(facts),
                "--tenant",
                "acme",
            ]
        )
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert report["months_written"] == ["acme/2018-10"]
    assert [p["path"] for p in report["problems"]] == ["broken.parquet"]
    assert (
        main(["cur", "normalize", "--input", str(raw_dir), "--output", str(facts), "--strict"]) == 1
    )
    capsys.readouterr()
    findings = tmp_path / "findings" / "tenant_id=acme" / "dt=2018-10-31"
    findings.mkdir(parents=True)
    table = finding_rows(
        [
            ("AWS::EC2::Volume", "vol-0ffffffffffffffff", ESTATE[1], "us-east-1", "ebs", 30.0),
            ("AWS::EC2::Volume", "vol-0ffffffffffffffff", "333333333333", "us-east-1", "ebs", 10.0),
        ]
    )
    pq.write_table(table, findings / "finops.findings.raw.v1+0+0000000000000000000.parquet")
    enriched = tmp_path / "enriched"
    assert (
        main(
            [
                "cur",
                "enrich",
                "--findings",
                str(tmp_path / "findings"),
                "--facts",
                str(facts),
                "--output",
                str(enriched),
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["findings"] == 2
    assert main(["cur", "coverage", "--enriched", str(enriched)]) == 0
    cov = json.loads(capsys.readouterr().out)
    assert cov["by_method"]["scoped_rollup"]["savings_share"] == 0.75
    assert cov["by_method"]["none"]["findings"] == 1
