"""docker-compose.yml is a valid Compose file, as Compose itself reads it (no engine needed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="scripts/install_compose.sh installs it")
def test_docker_compose_config_accepts_the_file() -> None:
    proc = subprocess.run(
        ["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True, text=True, timeout=120, check=False, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    services = proc.stdout.split("services:", 1)[1]
    for name in ("kafka-1", "kafka-2", "kafka-3", "estate", "scanner", "stream", "jobs", "web",
                 "notifier", "stream-iceberg", "iceberg-rest", "trino"):
        assert f"\n  {name}:" in services, f"service {name} missing from the resolved config"
    import yaml

    resolved = yaml.safe_load(proc.stdout)
    web = resolved["services"]["web"]
    assert "--no-auth" not in web["command"]
    tokens = web["command"][web["command"].index("--tokens") + 1]
    assert tokens == "/run/secrets/web_tokens" and "web_tokens" in str(web["secrets"])
    assert resolved["secrets"]["web_tokens"]["file"].endswith("deploy/web-tokens.json")
