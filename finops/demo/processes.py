"""Child processes of the demo: started in their own session, logged to a file, stopped in order."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path


class StartError(RuntimeError):
    pass


@dataclass
class Child:
    name: str
    argv: Sequence[str]
    log_path: Path
    env: Mapping[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Child:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "finops.cli", *self.argv],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **self.env},
            start_new_session=True,
        )
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def wait_for(self, ready: Callable[[], bool], what: str, timeout: float,
                 needs: Sequence[Child] = ()) -> None:
        """Wait until `ready()`; fail at once, with the log's last lines, if this child or one it
        `needs` (e.g. the stream, for the jobs' first snapshot) exits meanwhile."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ready():
                return
            for child in (self, *needs):
                if not child.alive():
                    raise StartError(f"{child.name} exited while {self.name} waited for its {what}; last lines of "
                                     f"{child.log_path}:\n{child.tail()}")
            time.sleep(0.5)
        raise StartError(f"{self.name}: no {what} after {timeout:.0f}s; see {self.log_path}:\n{self.tail()}")

    def tail(self, lines: int = 25) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self, timeout: float = 20.0) -> None:
        if not self.alive():
            return
        assert self.proc is not None
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        except ProcessLookupError:
            pass
