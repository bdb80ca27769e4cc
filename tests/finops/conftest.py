"""Fixtures for the broker tests."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def broker_dir() -> Iterator[Path]:
    """A data directory outside pytest's numbered temp dirs.

    Several pytest sessions share this machine, and each prunes all but the newest three
    `pytest-of-<user>/pytest-N` directories: a broker's pid file and storage kept there can vanish
    under a long-running test.
    """
    path = Path(tempfile.mkdtemp(prefix="finops-test-broker-"))
    yield path / "kafka"
    shutil.rmtree(path, ignore_errors=True)
