"""Where a scan's output goes: Kafka (findings + scan summaries, Avro) or JSON lines on stdout.

Both are called from several region threads at once: the Kafka producer is thread-safe; the
stdout sink serializes lines under a lock so two findings never interleave on one line.
"""

from __future__ import annotations

import json
import threading
from typing import Any, Protocol, TextIO

from contracts.finding import Finding
from producers.scan_summary import ScanSummary
from schemas.topics import SCANS_TOPIC


class ScanSink(Protocol):
    def finding(self, finding: Finding) -> None: ...

    def summary(self, summary: ScanSummary) -> None: ...

    def flush(self) -> None: ...


class StdoutSink:
    """One JSON object per line; `record` tells findings ("finding") from summaries ("scan"),
    e.g. `finops scan --stdout | jq 'select(.record=="finding") | .check_id'`."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._lock = threading.Lock()
        self.findings = 0

    def _line(self, record: str, doc: dict[str, Any]) -> None:
        text = json.dumps({"record": record, **doc}, sort_keys=True, default=str)
        with self._lock:
            self._out.write(text + "\n")
            if record == "finding":
                self.findings += 1

    def finding(self, finding: Finding) -> None:
        self._line("finding", finding.to_wire())

    def summary(self, summary: ScanSummary) -> None:
        self._line("scan", summary.to_wire())

    def flush(self) -> None:
        with self._lock:
            self._out.flush()


class KafkaSink:
    """Findings to the raw topic keyed by fingerprint; summaries to `finops.scans.v1` keyed by
    tenant/workspace/account/region so one scope's summaries stay in order on one partition."""

    def __init__(self, publisher: Any, scans_topic: str = SCANS_TOPIC) -> None:
        self._publisher = publisher
        self._scans_topic = scans_topic
        self._lock = threading.Lock()
        self.findings = 0

    def finding(self, finding: Finding) -> None:
        self._publisher.publish(finding)
        with self._lock:
            self.findings += 1

    def summary(self, summary: ScanSummary) -> None:
        self._publisher.publish_record(self._scans_topic, summary.key(), summary.to_wire(),
                                       schema="scan")

    def flush(self) -> None:
        self._publisher.flush()
