"""CloudWatch Logs log groups (with stored bytes) and their most recent event time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from checks.services.base import CollectionFailed, ServiceBase, cached, parse_items

_MAX_MEMORY = re.compile(r"Max Memory Used:\s*(\d+)\s*MB")


@dataclass(frozen=True)
class LogGroup:
    name: str
    arn: str
    created: datetime
    retention_days: int | None
    stored_bytes: int


def _ms(value: Any) -> datetime:
    return datetime.fromtimestamp(int(value) / 1000, tz=UTC)


def _group(raw: dict[str, Any]) -> LogGroup:
    return LogGroup(
        name=raw["logGroupName"],
        arn=raw.get("arn", ""),
        created=_ms(raw["creationTime"]),
        retention_days=raw.get("retentionInDays"),
        stored_bytes=int(raw.get("storedBytes") or 0),
    )


class LogsService(ServiceBase):
    name = "logs"

    @cached
    def log_groups(self) -> list[LogGroup]:
        raw = self.paginate("DescribeLogGroups", "logGroups")
        return parse_items(self, "DescribeLogGroups", raw, _group, lambda r: r["logGroupName"])

    @cached
    def last_event(self, group: str) -> datetime | None:
        """Newest event time over the group's streams (None: no stream ever received one)."""
        page = self.call("DescribeLogStreams", logGroupName=group, orderBy="LastEventTime",
                         descending=True, limit=1)
        streams = page.get("logStreams") or []
        stamps = [s.get("lastEventTimestamp") or s.get("lastIngestionTime") for s in streams]
        stamps = [s for s in stamps if s]
        return _ms(max(stamps)) if stamps else None

    @cached
    def lambda_max_memory_mb(self, function: str, days: int, max_events: int = 2000) -> int | None:
        """Peak 'Max Memory Used' over the REPORT lines Lambda writes after every invocation
        (None: no log group or no REPORT line in the window)."""
        start = int((self.ctx.now.timestamp() - days * 86_400) * 1000)
        peak: int | None = None
        seen = 0
        try:
            for event in self.iter_pages("FilterLogEvents", "events",
                                         logGroupName=f"/aws/lambda/{function}",
                                         filterPattern="REPORT", startTime=start):
                match = _MAX_MEMORY.search(event.get("message", ""))
                if match:
                    used = int(match.group(1))
                    peak = used if peak is None else max(peak, used)
                seen += 1
                if seen >= max_events:
                    break
        except CollectionFailed as exc:
            if exc.code == "ResourceNotFoundException":
                return None
            raise
        return peak
