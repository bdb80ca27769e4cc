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
