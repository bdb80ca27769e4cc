"""`finops estate up` as a user runs it: seeds, prints the summary, writes the manifest, serves
until SIGTERM, exits 0."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys

import boto3


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_estate_up_serves_until_sigterm(tmp_path) -> None:
    port, manifest = _free_port(), tmp_path / "estate" / "manifest.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "finops.cli", "estate", "up", "--port", str(port), "--seed", "9",
         "--resources", "40", "--regions", "eu-west-1", "--accounts", "1",
         "--manifest", str(manifest)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    printed = []
    try:
        for line in proc.stdout:
            printed.append(line)
            if line.startswith("serving until"):
                break
        summary = "".join(printed)
        doc = json.loads(manifest.read_text())
        assert doc["seed"] == 9 and doc["regions"] == ["eu-west-1"]
        assert doc["endpoint"] == f"http://127.0.0.1:{port}"
        assert f"{len(doc['waste'])} waste resources" in summary
        assert "unattached_volume" in summary and "AWS_ENDPOINT_URL=" in summary
        ec2 = boto3.client("ec2", region_name="eu-west-1", endpoint_url=doc["endpoint"],
                           aws_access_key_id="x", aws_secret_access_key="x")
        volumes = {v["VolumeId"] for v in ec2.describe_volumes()["Volumes"]}
        wanted = {w["resource_id"] for w in doc["waste"] if w["kind"] == "unattached_volume"}
        assert wanted and wanted <= volumes
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)
    assert proc.returncode == 0
