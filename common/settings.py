"""Where things are: one place for the defaults every command shares (env vars override)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("FINOPS_DATA_DIR", ROOT / "data"))
CACHE_DIR = Path(os.environ.get("FINOPS_CACHE_DIR", ROOT / ".cache"))

LOCAL_BROKER_PORT = int(os.environ.get("FINOPS_BROKER_PORT", "39092"))
LOCAL_CONTROLLER_PORT = int(os.environ.get("FINOPS_CONTROLLER_PORT", "39093"))


def bootstrap_servers() -> str:
    """An explicit KAFKA_BOOTSTRAP_SERVERS always wins; else the project's local broker."""
    return os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or f"127.0.0.1:{LOCAL_BROKER_PORT}"
