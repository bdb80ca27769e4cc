"""The demo fails fast, naming the culprit, when a process another one waits on exits."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from finops.demo.processes import Child, StartError


def test_waiting_on_a_first_snapshot_stops_when_the_stream_exits(tmp_path: Path) -> None:
    stream = Child("stream", ["no-such-command"], tmp_path / "stream.log").start()  # argparse: exits 2
    jobs = Child("jobs", [], tmp_path / "jobs.log",
                 proc=subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]))
    try:
        with pytest.raises(StartError, match=r"stream exited while jobs waited for its first snapshot") as err:
            jobs.wait_for(lambda: False, "first snapshot", 60, needs=[stream, jobs])
        assert "no-such-command" in str(err.value)  # the stream's own log tail is shown
    finally:
        jobs.stop()
        stream.stop()
