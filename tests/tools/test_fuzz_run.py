"""Fuzz through a real worker on the real broker, both engines, at CI size.

Full size (15,000 messages, ~10,500 hostile), one command away, per engine:
`python -m tools.stress.fuzz_run --n 15000 --engine faust --workdir .fuzz --clean`, or
`FINOPS_FUZZ_N=15000 FINOPS_TEST_WORKERS=0 scripts/test.sh tests/tools/test_fuzz_run.py -q -s`.
"""

from __future__ import annotations

import argparse
import hashlib
import os
from pathlib import Path

import pytest

from tools.stress.fuzz import generate_fuzz
from tools.stress.fuzz_run import check, files_outside, run


@pytest.mark.kafka
@pytest.mark.slow
@pytest.mark.parametrize("engine", ["faust", "kafka"])
def test_fuzz_every_message_has_its_outcome(kafka_bootstrap: str, tmp_path: Path, engine: str) -> None:
    n = int(os.environ.get("FINOPS_FUZZ_N", "1500"))
    args = argparse.Namespace(n=n, valid_share=0.3, engine=engine, workdir=tmp_path / "fuzz", clean=True, seed=99,
                              partitions=3, chunk_records=2000, timeout=600.0, bootstrap=kafka_bootstrap)
    report = run(args)
    print(f"fuzz ({engine}): {report['n']} messages, {report['hostile']} hostile; lost {report['lost']}, "
          f"duplicated {report['duplicated']}, wrong {report['wrong']}, dead letters {report['dead_letters_by_reason']}, "
          f"exits {report['worker_exit_codes']}")
    assert report["checks"] and all(report["checks"].values()), (report["checks"], report["wrong_examples"])
    assert report["stored_rows"] + report["dead_letters"] == report["n"]
    assert set(report["kinds"]) >= {"random_bytes", "header_random_body", "many_tags", "tenant_kelvin", "year_9999"}


def test_the_checker_sees_lost_duplicated_and_wrong_outcomes() -> None:
    """The fuzz verdict itself can fail: a missing, a doubled and a mis-stored message are reported."""
    msgs = list(generate_fuzz(200, seed=3))
    stored = [m for m in msgs if m.stored]
    dead = [m for m in msgs if not m.stored]
    rows = {m.run_id: [dict(m.expect, run_id=m.run_id)] for m in stored}
    letters = {f"k{m.index}": (sorted(m.reasons)[0], hashlib.sha256(m.value).hexdigest()) for m in dead}
    assert check(msgs, rows, letters) == {"lost": [], "duplicated": [], "wrong": [], "unknown_letters": 0}

    many_tags = next(m for m in stored if m.kind == "many_tags")
    rows[many_tags.run_id] = [dict(many_tags.expect, run_id=many_tags.run_id, tags=[])]  # tags lost on the way
    lost = stored[0] if stored[0] is not many_tags else stored[1]
    del rows[lost.run_id]
    twice = dead[0]
    letters["again"] = letters[f"k{twice.index}"]  # a dead letter sent twice under two keys
    kelvin = next(m for m in dead if m.kind == "tenant_kelvin")
    del letters[f"k{kelvin.index}"]
    rows[kelvin.run_id] = [{"run_id": kelvin.run_id}]  # stored instead of rejected
    result = check(msgs, rows, letters)
    assert result["lost"] == [lost.index]
    assert result["duplicated"] == [twice.index]
    assert [(i, kind) for i, kind, _ in result["wrong"]] == sorted(
        [(many_tags.index, "many_tags"), (kelvin.index, "tenant_kelvin")])


def test_files_outside_the_output_are_found(tmp_path: Path) -> None:
    out = tmp_path / "out"
    good = out / "tenant_id=acme" / "dt=2026-11-01" / "raw+0+0000000000000000000.parquet"
    escaped = tmp_path / "etc" / "raw+0+0000000000000000000.parquet"
    odd_dir = out / "tenant_id=../dt=2026-11-01" / "x.parquet"
    for p in (good, escaped, odd_dir, tmp_path / "logs" / "stream.log"):
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x")
    assert files_outside(tmp_path, out, [tmp_path / "logs"]) == sorted([str(escaped.resolve()), str(odd_dir.resolve())])
