"""`finops broker ...`: what a person sees, and exit codes a script can branch on."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from finops.broker import free_ports
from finops.cli import main


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """`main()` points the root logger at the current (captured) stderr; undo that afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_status_without_a_broker_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (port,) = free_ports(1)
    rc = main(["broker", "status", "--port", str(port), "--data-dir", str(tmp_path)])
    assert rc == 3
    assert f"no broker running on 127.0.0.1:{port}" in capsys.readouterr().out


def test_stop_without_a_broker_is_fine(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (port,) = free_ports(1)
    assert main(["broker", "stop", "--port", str(port), "--data-dir", str(tmp_path)]) == 0
    assert "no broker running" in capsys.readouterr().out


def test_start_failure_exits_1_with_reason(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    import socket

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        rc = main(["broker", "start", "--port", str(taken), "--data-dir", str(tmp_path)])
    assert rc == 1
    assert f"port 127.0.0.1:{taken} is taken" in capsys.readouterr().err


def test_help_names_every_action(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["broker", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for action in ("fetch", "start", "stop", "status"):
        assert action in out


@pytest.mark.kafka
def test_start_status_stop(broker_dir: Path, capsys: pytest.CaptureFixture) -> None:
    port, controller = free_ports(2)
    where = ["--port", str(port), "--data-dir", str(broker_dir)]
    try:
        assert main(["broker", "start", *where, "--controller-port", str(controller)]) == 0
        assert f"listening on 127.0.0.1:{port}" in capsys.readouterr().out
        assert main(["broker", "start", *where]) == 0  # already running: same broker
        capsys.readouterr()
        # No --controller-port: status finds it in the data dir's server.properties.
        assert main(["broker", "status", *where]) == 0
        out = capsys.readouterr().out
        assert (
            f"listening on 127.0.0.1:{port} (controller 127.0.0.1:{controller}), answering" in out
        )
        assert str(broker_dir / "broker.log") in out
    finally:
        assert main(["broker", "stop", *where]) == 0
    assert "broker stopped" in capsys.readouterr().out
    assert main(["broker", "status", *where]) == 3
