"""Recorded responses (placebo layout) served through botocore's Stubber, which validates each
response against the service model, so a recording with a field AWS does not return fails."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
from botocore import xform_name
from botocore.stub import Stubber

PLACEBO = Path(__file__).resolve().parent / "data" / "placebo"


def stubbed(service: str, scenario: str, only: str | None = None,
            region: str = "us-east-1") -> tuple[Any, Stubber]:
    """A client of `service` answering with its recordings in file order (Stubber serves one
    queue, so a test calling one operation of several recorded passes `only`)."""
    client = boto3.client(service, region_name=region, aws_access_key_id="x",
                          aws_secret_access_key="x")
    stub = Stubber(client)
    files = sorted((PLACEBO / scenario).glob(f"{service}.*_*.json"),
                   key=lambda p: (p.stem.rsplit("_", 1)[0], int(p.stem.rsplit("_", 1)[1])))
    for path in files:
        operation = path.stem.split(".", 1)[1].rsplit("_", 1)[0]
        if only is not None and operation != only:
            continue
        stub.add_response(xform_name(operation), json.loads(path.read_text())["data"])
    stub.activate()
    return client, stub


def failing(service: str, operation: str, code: str, message: str,
            region: str = "us-east-1") -> tuple[Any, Stubber]:
    client = boto3.client(service, region_name=region, aws_access_key_id="x",
                          aws_secret_access_key="x")
    stub = Stubber(client)
    stub.add_client_error(xform_name(operation), service_error_code=code,
                          service_message=message, http_status_code=400)
    stub.activate()
    return client, stub


def run_on(ctx: Any, service_cls: type, client: Any, check_id: str) -> Any:
    """Run one check with `client` (stubbed) as its service module's client."""
    from checks.runner import run_checks

    ctx.service(service_cls)._client = client
    return run_checks(ctx, [check_id])
