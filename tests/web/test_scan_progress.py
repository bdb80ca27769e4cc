"""A scan in progress never dips the headline; a completed run replaces the previous one.

The real pieces: the checks scan the simulated estate twice (an unattached volume of the first
account is deleted between the rounds, as an operator would fix it), the stream's processors
store the records, the JobRunner writes the sets, the web serves them. Run 2 lands the way the
broker can deliver it: its scan summaries and most findings first, while half of the first
account's findings wait on a lagging partition. Until they land, nothing of run 1 drops out but
what run 2 no longer reports from a check whose run-2 scan is wholly stored (the volume check:
it found nothing, its summary alone proves the volume gone). Expected sets come from what the
scanner sent, amounts from DuckDB over the stored Parquet, not from the jobs' own tables.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import duckdb

from estate.remediate import remediate
from producers.accounts import AccountDirectory
from producers.scanner import Scanner, ScanRequest
from schemas.topics import RAW_TOPIC, SCANS_TOPIC
from streams.processor import Incoming, processor_for
from web.app import create_app

VOLUME_CHECK = "ec2_ebs_volume_unattached"


class Lagging:
    """The stream's processors over chosen records: partition 0 in send order, partition 1 for
    records held back (a partition whose consumer lags)."""

    def __init__(self, data: Path) -> None:
        self.dead: list[object] = []
        self.procs = {RAW_TOPIC: processor_for("finding", data / "findings", 10_000,
                                               self.dead.append),
                      SCANS_TOPIC: processor_for("scan", data / "scans", 10_000, self.dead.append)}
        self.offsets: dict[tuple[str, int], int] = {}

    def send(self, topic: str, records: list[bytes], partition: int = 0) -> None:
        start = self.offsets.get((topic, partition), 0)
        self.offsets[(topic, partition)] = start + len(records)
        self.procs[topic].process(topic, partition, [Incoming(start + i, r)
                                                     for i, r in enumerate(records)])
        self.procs[topic].flush_open()  # what a running worker makes durable between windows
        assert not self.dead, self.dead[:3]


def _scan_twice(estate_module: Any) -> tuple[Any, str, str]:
    """Two scan rounds; returns the sink, the first account and the fixed volume's id."""
    from estate import start_estate

    sink = estate_module.EncodingSink()
    regions = ("us-east-1",)
    with start_estate(seed=11, resources=60, regions=regions, accounts=2) as estate:
        base = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing")
        scanner = Scanner(AccountDirectory(base, endpoint_url=estate.endpoint),
                          ScanRequest("acme", "prod", regions, org=True), sink,
                          prices=estate_module.catalog_with_gaps())
        scanner.scan_round()
        first = sorted(estate.accounts)[0]
        volume = next(w for w in estate.manifest.waste
                      if w.kind == "unattached_volume" and w.account_id == first)
        assert not remediate(estate.endpoint, [volume], 1.0).failed
        scanner.scan_round()
    return sink, first, volume.resource_id


def _headline(data: Path) -> tuple[set[str], Decimal, dict[str, Any]]:
    snap = data / "snapshots" / "acme"
    rows = json.loads((snap / "findings.json").read_text())
    counted = {f["fingerprint"] for f in rows if f["counted"]}
    summary = json.loads((snap / "summary.json").read_text())
    assert summary["findings"]["counted"] == len(counted)
    return counted, Decimal(summary["savings"]["estimated_monthly"]), summary


def _raw_sum(data: Path, fingerprints: set[str], runs: list[str]) -> Decimal:
    """Savings of `fingerprints` over the stored Parquet: each one's newest stored row among
    `runs` (DuckDB over the files, not the jobs' tables)."""
    con = duckdb.connect()
    con.register("fps", duckdb.sql("SELECT unnest($f) AS fp", params={"f": sorted(fingerprints)})
                 .to_arrow_table())
    got = con.execute(
        f"""SELECT coalesce(sum(s), 0) FROM (
              SELECT arg_max(estimated_monthly_savings, (observed_at, source_offset)) AS s
              FROM read_parquet('{data}/findings/**/*.parquet', hive_partitioning=false)
              WHERE fingerprint IN (SELECT fp FROM fps) AND run_id IN (SELECT unnest($r))
              GROUP BY fingerprint)""", {"r": runs}).fetchall()[0][0]
    return Decimal(got).quantize(Decimal("0.01"))


def _raw_fingerprints(data: Path, run: str) -> set[str]:
    return {r[0] for r in duckdb.execute(
        f"SELECT DISTINCT fingerprint FROM read_parquet('{data}/findings/**/*.parquet',"
        f" hive_partitioning=false) WHERE run_id = ?", [run]).fetchall()}


def test_a_scan_in_progress_never_dips_the_headline(tmp_path: Path, estate_module: Any) -> None:
    from jobs.window import JobPaths, JobRunner

    sink, first, volume = _scan_twice(estate_module)
    # in scan order: two run ids of the same minute sort by their hash, not by time
    runs = list(dict.fromkeys(s[0] for s in sink.scopes[SCANS_TOPIC]))
    assert len(runs) == 2
    r1, r2 = runs
    data = tmp_path / "data"
    stream = Lagging(data)

    def part(topic: str, keep: Any) -> list[bytes]:
        return [rec for rec, scope in zip(sink.records[topic], sink.scopes[topic], strict=True)
                if keep(scope)]

    runner = JobRunner(JobPaths.under(data), threads=1)
    client = create_app({"DATA_DIR": data, "AUTH_DISABLED": True, "DEMO_TENANT": "acme",
                         "LIVE_WATCHERS": False, "TESTING": True}).test_client()
    try:
        # run 1, whole
        stream.send(RAW_TOPIC, part(RAW_TOPIC, lambda s: s[0] == r1))
        stream.send(SCANS_TOPIC, part(SCANS_TOPIC, lambda s: s[0] == r1))
        assert runner.run_window().error is None
        counted1, total1, summary1 = _headline(data)
        assert summary1["scan_runs"]["latest"]["status"] == "complete"
        assert counted1 and counted1 <= _raw_fingerprints(data, r1)
        assert total1 == _raw_sum(data, counted1, [r1])

        # run 2: every summary, but only half of the first account's findings; the other half
        # lags on partition 1
        fps = {run: {s[4] for s in sink.scopes[RAW_TOPIC] if s[0] == run} for run in runs}
        fixed = fps[r1] - fps[r2]  # what the scanner no longer reports: the fixed volume's
        assert fixed
        mine = [i for i, s in enumerate(sink.scopes[RAW_TOPIC]) if s[0] == r2 and s[1] == first]
        held = set(mine[len(mine) // 2:])
        run2 = [i for i, s in enumerate(sink.scopes[RAW_TOPIC]) if s[0] == r2]
        stream.send(RAW_TOPIC, [sink.records[RAW_TOPIC][i] for i in run2 if i not in held])
        stream.send(SCANS_TOPIC, part(SCANS_TOPIC, lambda s: s[0] == r2))
        assert runner.run_window().error is None
        counted_mid, total_mid, summary_mid = _headline(data)
        # nothing dropped out but the fixed volume; every held-back finding still counts
        held_fps = {sink.scopes[RAW_TOPIC][i][4] for i in held}
        assert counted1 - fixed == counted_mid - fixed and counted_mid <= counted1
        assert held_fps & counted1 <= counted_mid and len(held_fps & counted1) > 20
        assert total_mid == _raw_sum(data, counted_mid, [r1, r2])
        assert total_mid == total1 - _raw_sum(data, counted1 - counted_mid, [r1])
        latest = summary_mid["scan_runs"]["latest"]
        assert latest["run_id"] == r2 and latest["status"] == "in_progress"
        assert latest["findings_stored"] == latest["findings_reported"] - len(held)
        assert summary_mid["scan_runs"]["last_complete"]["run_id"] == r1
        overview = client.get("/api/overview").get_json()["data"]
        assert Decimal(overview["estimated_monthly_savings"]) == total_mid
        assert overview["scan_in_progress"]["run_id"] == r2
        trend = client.get("/api/trend").get_json()["data"]
        assert [(p["run_id"], p["status"]) for p in trend] == [(r1, "complete"),
                                                               (r2, "in_progress")]
        assert trend[1]["findings_stored"] < trend[1]["findings_reported"]

        # the lagging partition catches up: run 2 is whole and replaces run 1
        stream.send(RAW_TOPIC, [sink.records[RAW_TOPIC][i] for i in sorted(held)], partition=1)
        assert runner.run_window().error is None
        counted2, total2, summary2 = _headline(data)
        assert summary2["scan_runs"]["latest"]["status"] == "complete"
        assert counted1 - counted2 == fixed & counted1 and counted2 <= _raw_fingerprints(data, r2)
        rows = json.loads((data / "snapshots" / "acme" / "findings.json").read_text())
        assert {f["lifecycle_state"] for f in rows if f["fingerprint"] in fixed} == {"resolved"}
        assert any(f["resource_id"].endswith(volume) for f in rows if f["fingerprint"] in fixed)
        assert total2 == _raw_sum(data, counted2, [r2]) < total1
        overview = client.get("/api/overview").get_json()["data"]
        assert overview["scan_in_progress"] is None
        trend = client.get("/api/trend").get_json()["data"]
        assert [p["status"] for p in trend] == ["complete", "complete"]
        assert Decimal(trend[-1]["estimated_monthly_savings"]) == total2
    finally:
        runner.close()

