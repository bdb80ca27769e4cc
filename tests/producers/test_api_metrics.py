"""The scanner's API metrics count what botocore really does: a local endpoint answers a logs
call with ThrottlingException twice, then succeeds; a second call fails for good. Counted by
the hooks every scan session (EndpointSession) installs."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from botocore.exceptions import ClientError
from prometheus_client import REGISTRY

from producers.accounts import EndpointSession


def _answers(script: list[tuple[int, dict[str, Any]]]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            self.rfile.read(int(self.headers["Content-Length"]))
            status, body = script.pop(0)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _count(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_throttles_retries_and_errors_are_counted_by_service() -> None:
    throttled = (400, {"__type": "ThrottlingException", "message": "Rate exceeded"})
    denied = (400, {"__type": "AccessDeniedException", "message": "no"})
    server = _answers([throttled, throttled, (200, {"logGroups": []}), denied])
    try:
        session = EndpointSession(region_name="us-east-1", aws_access_key_id="testing",
                                  aws_secret_access_key="testing",
                                  endpoint_url=f"http://127.0.0.1:{server.server_address[1]}")
        logs = session.client("logs")
        svc = "cloudwatch-logs"
        calls0 = _count("finops_scan_api_calls_total", service=svc)
        throttles0 = _count("finops_scan_api_throttles_total", service=svc)
        denied0 = _count("finops_scan_api_errors_total", service=svc, code="AccessDeniedException")
        assert logs.describe_log_groups()["logGroups"] == []  # after two throttled attempts
        with pytest.raises(ClientError):
            logs.describe_log_groups()
    finally:
        server.shutdown()
    assert _count("finops_scan_api_throttles_total", service=svc) - throttles0 == 2
    assert _count("finops_scan_api_calls_total", service=svc) - calls0 == 2  # 2 calls, 4 attempts
    assert _count("finops_scan_api_errors_total", service=svc,
                  code="AccessDeniedException") - denied0 == 1
