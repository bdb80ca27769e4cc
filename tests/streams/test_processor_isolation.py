"""A record that makes its whole batch fail to convert is isolated by splitting the batch and
dead-lettered as `isolated`; the rest of the batch is stored, the same however it was batched.

The poison is real, not injected: a scan summary whose check counts, summed over keys that differ
only in case, overflow int64 passes the row contract but makes the table of its batch raise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from schemas.registry import latest
from schemas.wire import encode
from streams.dead_letter import DeadLetter
from streams.failure import StreamFailure
from streams.processor import ISOLATED, Incoming, processor_for

BASE = datetime(2026, 11, 1, tzinfo=UTC)


def scan_wire(i: int, *, poison: bool = False) -> dict[str, Any]:
    return {
        "tenant_id": "acme", "workspace": "prod", "account_id": f"{100000000000 + i:012d}", "region": "us-east-1",
        "run_id": f"run-{i}", "started_at": BASE + timedelta(minutes=i), "finished_at": BASE + timedelta(minutes=i, seconds=30),
        "status": "ok", "check_counts": {"X": 2**63 - 1, "x": 1} if poison else {"x": i}, "resources_seen": {},
        "errors": [], "duration_s": 30.0,
    }


def scan_messages(n: int, poison_at: set[int]) -> list[Incoming]:
    schema = latest("scan")
    return [Incoming(i, encode(scan_wire(i, poison=i in poison_at), schema)) for i in range(n)]


def _run(tmp: Path, msgs: list[Incoming], batch: int) -> tuple[list[DeadLetter], dict[str, bytes]]:
    letters: list[DeadLetter] = []
    proc = processor_for("scan", tmp, 100, letters.append)
    for i in range(0, len(msgs), batch):
        proc.process("scans", 0, msgs[i : i + batch])
    proc.sink.finish()
    return letters, {str(p.relative_to(tmp)): p.read_bytes() for p in sorted(tmp.rglob("*.parquet"))}


def test_the_poison_really_fails_a_whole_batch() -> None:
    from contracts.batch import rowwise
    from contracts.scan_schema import scan_rows_to_table, scan_wire_to_row

    with pytest.raises(OverflowError):
        rowwise(scan_wire_to_row, scan_rows_to_table)([scan_wire(0), scan_wire(1, poison=True)], "s", 0, [0, 1])


def test_a_poison_record_is_isolated_and_the_rest_stored_whatever_the_batching(tmp_path: Path) -> None:
    msgs = scan_messages(250, poison_at={3, 117, 118})
    whole, files_whole = _run(tmp_path / "whole", msgs, batch=250)
    small, files_small = _run(tmp_path / "small", msgs, batch=7)
    for letters in (whole, small):
        assert sorted((d.offset, d.reason) for d in letters) == [(3, ISOLATED), (117, ISOLATED), (118, ISOLATED)]
        assert "OverflowError" in letters[0].detail
    assert files_whole and files_whole == files_small  # byte-identical files
    stored = [o for f in sorted((tmp_path / "whole").rglob("*.parquet")) for o in pq.read_table(f)["source_offset"].to_pylist()]
    assert sorted(stored) == [i for i in range(250) if i not in {3, 117, 118}]


def test_a_converter_failing_every_record_stops_instead_of_dead_lettering_everything(tmp_path: Path) -> None:
    letters: list[DeadLetter] = []
    proc = processor_for("scan", tmp_path, 100, letters.append)
    poison = scan_messages(1200, poison_at=set(range(1200)))
    with pytest.raises(StreamFailure, match=r"scans\[0\]@950: 1000 records in a row fail alone"):
        for i in range(0, 1200, 50):
            proc.process("scans", 0, poison[i : i + 50])
    assert len(letters) == 950  # the batch that reached the bound is not dead-lettered: it stops there
