"""The stress engine end to end on the real broker, at CI size.

Full size, one command away: `make stress` (200,000 findings), or
`FINOPS_STRESS_N=200000 pytest -m slow tests/tools/test_stress_run.py`; against the Iceberg sink:
`python -m tools.stress.stress_engine --n 200000 --workdir .stress --clean --sink iceberg`.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pytest

from tools.stress.stress_engine import run

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


@pytest.mark.parametrize("sink", ["parquet", "iceberg"])
def test_stress_engine_verifies_everything(kafka_bootstrap: str, tmp_path: Path, sink: str) -> None:
    if sink == "iceberg":
        pytest.importorskip("pyiceberg")
    n = int(os.environ.get("FINOPS_STRESS_N", "20000"))
    args = argparse.Namespace(
        n=n, workdir=tmp_path / "stress", clean=True, invalid_share=0.02, seed=7, partitions=6,
        chunk_records=5_000, timeout=900.0, bootstrap=kafka_bootstrap, sink=sink, engine="faust",
    )
    report = run(args)
    assert report["checks"] and all(report["checks"].values()), report["checks"]
    assert report["parquet"]["rows"] == report["expected_valid"]
    assert (tmp_path / "stress" / "report.json").exists()
