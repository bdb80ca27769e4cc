"""Scanner metrics (docs/metrics.md): AWS API calls, errors and throttles by service (botocore
event hooks on every scan session), findings per check and scans by status (a sink wrapper)."""

from __future__ import annotations

from typing import Any

from prometheus_client import Counter

from contracts.finding import Finding
from producers.scan_sinks import ScanSink
from producers.scan_summary import ScanSummary

API_CALLS = Counter("finops_scan_api_calls", "AWS API calls (after retries)", ["service"])
API_ERRORS = Counter("finops_scan_api_errors", "AWS API calls that failed, by error code",
                     ["service", "code"])
THROTTLES = Counter("finops_scan_api_throttles", "AWS API attempts answered with a throttling "
                    "error (each retried attempt counts)", ["service"])
FINDINGS = Counter("finops_scan_findings", "Findings produced", ["check_id"])
SCANS = Counter("finops_scan_scans", "(account, region) scans finished", ["status"])

THROTTLE_CODES = frozenset({"Throttling", "ThrottlingException", "ThrottledException",
                            "RequestLimitExceeded", "TooManyRequestsException",
                            "RequestThrottled", "RequestThrottledException", "SlowDown",
                            "ProvisionedThroughputExceededException"})


def _service(event_name: str) -> str:
    parts = event_name.split(".")
    return parts[1] if len(parts) > 1 else "unknown"


def _error_code(parsed: Any) -> str | None:
    if isinstance(parsed, dict):
        code = (parsed.get("Error") or {}).get("Code")
        return str(code) if code else None
    return None


def _after_call(event_name: str, http_response: Any = None, parsed: Any = None,
                **_: Any) -> None:
    service = _service(event_name)
    API_CALLS.labels(service).inc()
    code = _error_code(parsed)
    if code or (http_response is not None and getattr(http_response, "status_code", 200) >= 400):
        API_ERRORS.labels(service, code or str(http_response.status_code)).inc()


def _after_call_error(event_name: str, exception: Exception | None = None, **_: Any) -> None:
    service = _service(event_name)
    API_CALLS.labels(service).inc()
    API_ERRORS.labels(service, type(exception).__name__ if exception else "error").inc()


def _needs_retry(event_name: str, response: Any = None, **_: Any) -> None:
    if response is not None and _error_code(response[1]) in THROTTLE_CODES:
        THROTTLES.labels(_service(event_name)).inc()


def instrument_session(session: Any) -> None:
    """Count the API calls of every client `session` (a boto3 Session) creates from now on."""
    events = session.events
    events.register("after-call.*", _after_call, unique_id="finops-metrics-after-call")
    events.register("after-call-error.*", _after_call_error,
                    unique_id="finops-metrics-after-call-error")
    events.register("needs-retry.*", _needs_retry, unique_id="finops-metrics-needs-retry")


class MeteredSink:
    """A ScanSink that counts what passes through it."""

    def __init__(self, inner: ScanSink) -> None:
        self.inner = inner

    def finding(self, finding: Finding) -> None:
        FINDINGS.labels(finding.check_id).inc()
        self.inner.finding(finding)

    def summary(self, summary: ScanSummary) -> None:
        SCANS.labels(summary.status).inc()
        self.inner.summary(summary)

    def flush(self) -> None:
        self.inner.flush()
