"""`finops stream`'s arguments reach the worker's settings (the bench freezes a worker for longer
than the default session timeout, so that one must be settable)."""

from __future__ import annotations

from pathlib import Path

from finops.cli import build_parser
from finops.commands.stream import settings_from_args


def test_stream_arguments_reach_the_settings(tmp_path: Path) -> None:
    args = build_parser().parse_args(
        ["stream", "--topic", "t.raw", "--group", "g", "--out", str(tmp_path), "--no-scans",
         "--chunk-records", "123", "--batch-max", "77", "--session-timeout", "60"]
    )
    s = settings_from_args(args, "127.0.0.1:1")
    assert (s.bootstrap, s.raw_topic, s.group_id, s.out_dir) == ("127.0.0.1:1", "t.raw", "g", tmp_path)
    assert (s.chunk_records, s.batch_max, s.with_scans, s.session_timeout_s) == (123, 77, False, 60.0)


def test_session_timeout_defaults_to_ten_seconds() -> None:
    s = settings_from_args(build_parser().parse_args(["stream"]), "b:1")
    assert s.session_timeout_s == 10.0


def test_dead_letter_and_size_arguments_reach_the_settings() -> None:
    args = build_parser().parse_args(
        ["stream", "--dlq-bootstrap", "10.0.0.9:9092", "--dlq-timeout", "3", "--max-message-bytes", "6000000",
         "--dlq-max-message-bytes", "2000000"]
    )
    s = settings_from_args(args, "b:1")
    assert (s.dlq_bootstrap, s.dlq_timeout_s, s.source_max_bytes, s.dlq_max_bytes) == (
        "10.0.0.9:9092", 3.0, 6_000_000, 2_000_000)


def test_faust_state_goes_under_the_data_dir(tmp_path: Path) -> None:
    s = settings_from_args(build_parser().parse_args(["stream", "--group", "g1", "--data-dir", str(tmp_path)]), "b:1")
    assert s.faust_datadir() == tmp_path / "faust" / "g1"
