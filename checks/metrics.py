"""Metric queries more than one check asks for (so they hit the same per-scan cache entry)."""

from __future__ import annotations

from checks.services.cloudwatch import MetricQuery, query


def ebs_io_queries(volume_id: str) -> list[MetricQuery]:
    """Daily read and write operation counts of one EBS volume (published only while
    attached)."""
    return [query("AWS/EBS", m, VolumeId=volume_id) for m in ("VolumeReadOps", "VolumeWriteOps")]
