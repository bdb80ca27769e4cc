"""The window runner: incremental windows give the same bytes as one batch run."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from jobs.window import JobPaths, JobRunner

INST = "AWS::EC2::Instance"
V = "AWS::EC2::Volume"
H = timedelta(hours=1)


def _paths(lake, out: str) -> JobPaths:
    base = JobPaths.under(lake.root)
    return JobPaths(base.findings_dir, base.scans_dir, lake.root / out, base.facts_dir,
                    base.suppressions_dir)


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*.json"))}


def _step1(kit, lake):
    lake.write_findings([
        kit.finding("ec2_instance_stopped_long", INST, "i-1", savings="30.00"),
        kit.finding("ec2_ebs_volume_on_stopped_instance", V, "vol-1", savings="8.00",
                    details={"instances": ["i-1"]}),
    ])
    lake.write_scans([kit.scan("run-1", started=kit.T0 - timedelta(minutes=1),
                               checks={"ec2_instance_stopped_long": 1,
                                       "ec2_ebs_volume_unattached": 0})])


def _step2(kit, lake):
    # the same stream file fills up: rewritten in place with a superset of rows
    lake.write_findings([kit.finding("ec2_ebs_volume_unattached", V, "vol-7", savings="5.00")],
                        name_offset=0)
    lake.write_findings([kit.finding("ec2_instance_stopped_long", INST, "i-1", savings="30.00",
                                     at=kit.T0 + H, run="run-2")], partition=1)
    lake.write_findings([kit.finding("ec2_ebs_volume_unattached", V, "vol-8", savings="6.00",
                                     at=kit.T0 + H, run="run-9", tenant="beta")],
                        partition=1, tenant="beta")


def _step3(kit, lake):
    lake.write_scans([kit.scan("run-2", started=kit.T0 + H - timedelta(minutes=1),
                               checks={"ec2_instance_stopped_long": 1,
                                       "ec2_ebs_volume_unattached": 0,
                                       "ec2_ebs_volume_on_stopped_instance": 0})], partition=1)
    folder = lake.root / "suppressions"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "acme.json").write_text(json.dumps({"suppressions": [
        {"resource_id": "vol-7", "reason": "kept for audit", "author": "ana"}]}))


def test_incremental_windows_equal_one_batch_run(kit, lake, shipped_rules):
    live = JobRunner(_paths(lake, "snap_live"), rules=shipped_rules, threads=1)
    written = []
    for step in (_step1, _step2, _step3):
        step(kit, lake)
        written.append(live.run_window().tenants_written)
    # only the tenants whose input changed are rebuilt (window 3: acme's scan + suppressions)
    assert written == [["acme"], ["acme", "beta"], ["acme"]]
    batch = JobRunner(_paths(lake, "snap_batch"), rules=shipped_rules, threads=1)
    assert batch.run_window().tenants_written == ["acme", "beta"]
    live_tree, batch_tree = _tree(lake.root / "snap_live"), _tree(lake.root / "snap_batch")
    assert live_tree == batch_tree
    findings = json.loads(batch_tree["acme/findings.json"])
    states = {f["resource_id"].rsplit("/", 1)[1]: f["lifecycle_state"] for f in findings}
    assert states == {"i-1": "open", "vol-1": "resolved", "vol-7": "resolved"}


def test_a_window_without_new_input_writes_nothing(kit, lake, shipped_rules):
    _step1(kit, lake)
    runner = JobRunner(_paths(lake, "snap"), rules=shipped_rules, threads=1)
    assert runner.run_window().tenants_written == ["acme"]
    manifest = lake.root / "snap" / "acme" / "manifest.json"
    before = manifest.stat().st_mtime_ns
    again = runner.run_window()
    assert again.tenants_rebuilt == [] and again.tenants_written == []
    assert manifest.stat().st_mtime_ns == before
    doc = json.loads(manifest.read_text())
    assert doc["version"] == 3  # 2 finding rows + 1 scan row
    assert doc["watermark"]["offsets"] == {"finops.findings.raw.v1:0": 1, "finops.scans.v1:0": 0}


def test_the_loop_survives_a_failing_window_and_stops_on_request(kit, lake, shipped_rules):
    import threading

    from jobs.window import run_forever

    runner = JobRunner(_paths(lake, "snap"), rules=shipped_rules, threads=1)
    real = runner.run_window
    calls: list[str] = []
    stop = threading.Event()

    def flaky():
        calls.append("w")
        if len(calls) == 1:
            raise RuntimeError("disk hiccup")
        report = real()
        if len(calls) == 3:
            stop.set()
        return report

    runner.run_window = flaky  # type: ignore[method-assign]
    _step1(kit, lake)
    assert run_forever(runner, 0.01, stop) == 0
    assert len(calls) == 3
    assert (lake.root / "snap" / "acme" / "manifest.json").is_file()


def test_one_tenants_bad_input_does_not_starve_the_others(kit, lake, shipped_rules):
    _step1(kit, lake)
    lake.write_findings([kit.finding("ec2_ebs_volume_unattached", V, "vol-8", tenant="beta")],
                        partition=1, tenant="beta")
    folder = lake.root / "suppressions"
    folder.mkdir(parents=True)
    (folder / "acme.json").write_text('{"suppressions": [{"reason": "no matcher"}]}')
    runner = JobRunner(_paths(lake, "snap"), rules=shipped_rules, threads=1)
    report = runner.run_window()
    assert report.tenants_written == ["beta"] and "acme" in (report.error or "")
    (folder / "acme.json").write_text('{"suppressions": []}')
    again = runner.run_window()
    assert again.tenants_written == ["acme"] and again.error is None


def test_after_every_window_the_live_sets_equal_a_batch_run(kit, lake, shipped_rules):
    """Random streams of new files, in-place rewrites and scans (with and without errors): the
    live runner's sets after each window equal a fresh one-shot run over the same files."""
    import random

    checks = [("ec2_instance_stopped_long", INST, "i-"),
              ("ec2_ebs_volume_on_stopped_instance", V, "vol-"),
              ("ec2_ebs_volume_unattached", V, "vol-"),
              ("ec2_ebs_gp2_to_gp3", V, "vol-")]
    rnd = random.Random(11)
    live = JobRunner(_paths(lake, "live"), rules=shipped_rules, threads=1)
    open_files: list[tuple[int, int]] = []  # (partition, name offset) still filling
    for window in range(4):
        at = kit.T0 + window * H
        run = f"run-{window}"
        for _ in range(rnd.randint(1, 3)):
            wires = []
            for _ in range(rnd.randint(1, 4)):
                check, rtype, prefix = rnd.choice(checks)
                n = rnd.randint(0, 5)
                wires.append(kit.finding(check, rtype, f"{prefix}{n}", run=run, at=at,
                                         savings=f"{rnd.randint(1, 50)}.00",
                                         details={"instances": [f"i-{n}"]},
                                         alternative_group=f"{prefix}{n}#disposition"))
            tenant = rnd.choice(["acme", "beta"])
            if open_files and rnd.random() < 0.4 and tenant == "acme":
                part, name = rnd.choice(open_files)
                lake.write_findings(wires, partition=part, name_offset=name)
            else:
                part = rnd.randint(0, 2)
                start = lake.next_offset.get(f"finops.findings.raw.v1:{part}", 0)
                lake.write_findings(wires, partition=part, tenant=tenant)
                if tenant == "acme":
                    open_files.append((part, start))
        errors = [{"check_id": "ec2_ebs_gp2_to_gp3", "code": "x", "message": "y"}] \
            if rnd.random() < 0.5 else []
        lake.write_scans([kit.scan(run, started=at + timedelta(minutes=1), errors=errors,
                                   status="partial" if errors else "ok",
                                   checks={c: 0 for c, _, _ in checks})])
        live.run_window()
        batch = JobRunner(_paths(lake, f"batch{window}"), rules=shipped_rules, threads=1)
        batch.run_window()
        assert _tree(lake.root / "live") == _tree(lake.root / f"batch{window}"), window
    states = {f["lifecycle_state"] for path in (lake.root / "live").glob("*/findings.json")
              for f in json.loads(path.read_text())}
    assert states == {"new", "open", "resolved"}  # the sequence exercised every transition


def test_history_horizon_prunes_memory_and_still_equals_a_batch_run(kit, lake, shipped_rules):
    history = 2 * H
    live = JobRunner(_paths(lake, "live"), rules=shipped_rules, threads=1, history=history)
    for k in range(5):
        at = kit.T0 + k * H
        wires = [kit.finding("ec2_ebs_volume_unattached", V, "vol-1", at=at, run=f"r{k}")]
        if k < 2:  # vol-2 is last seen at T0 + 1h, then ages out of the horizon
            wires.append(kit.finding("ec2_ebs_volume_unattached", V, "vol-2", at=at, run=f"r{k}"))
        lake.write_findings(wires, partition=k)
        lake.write_scans([kit.scan(f"r{k}", started=at + timedelta(minutes=1),
                                   checks={"ec2_instance_stopped_long": 0})], partition=k)
        live.run_window()
    batch = JobRunner(_paths(lake, "batch"), rules=shipped_rules, threads=1, history=history)
    batch.run_window()
    assert _tree(lake.root / "live") == _tree(lake.root / "batch")
    kept = live.con.execute("SELECT count(*) FROM findings").fetchall()[0][0]
    # as_of = the last scan's finish (T0 + 4h 2m): rows before T0 + 2h 2m no longer count
    # the batch run computed its sets from all 7 rows (it prunes only after writing)
    assert kept == 2
    assert batch.con.execute("SELECT sum(n) FROM findings_files").fetchall()[0][0] == 7
    findings = json.loads((lake.root / "live" / "acme" / "findings.json").read_text())
    assert [(f["resource_id"][-5:], f["first_seen"]) for f in findings] == [
        ("vol-1", "2026-11-01T13:00:00.000000Z")]  # first sighting within the horizon
    manifest = json.loads((lake.root / "live" / "acme" / "manifest.json").read_text())
    assert manifest["version"] == 12 and len(manifest["watermark"]["files"]) == 10  # all input
