"""JSON snapshot sets: per tenant, the files the dashboard reads, written atomically.

Layout: `<snapshots_dir>/<tenant>/{findings,summary,top_savings,correlated_findings,coverage,
scans,trend}.json` and `manifest.json`, which is written LAST and lists each file's sha256, so a
reader that loads the manifest first and checks hashes never mixes two sets. Every file is
encoded with sorted keys and fixed separators, money as 2-decimal strings and times as
`...Z` strings (the caller's job), so a replay of the same input gives byte-identical files.
Each file goes to a temporary name in the same directory, is fsynced, then renamed over the old
one: a reader sees the old bytes or the new bytes, never a torn file.

A new set is announced on `finops.snapshots.v1` (key = tenant, value = {tenant_id, dir,
version, as_of}); announcing is best effort (Kafka down = logged, never raised), because the
manifest on disk is the source of truth and the web app can also poll it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)

SNAPSHOT_FILES = (
    "findings.json",
    "summary.json",
    "top_savings.json",
    "correlated_findings.json",
    "coverage.json",
    "scans.json",
    "trend.json",
)
OPTIONAL_FILES = ("realized.json",)  # estimated vs realized savings (jobs/realized.py)
MANIFEST = "manifest.json"


class RawJson(bytes):
    """A document already encoded in the canonical form (compact, sorted keys, trailing newline),
    e.g. a large list serialized by DuckDB; written as is."""


def encode(doc: Any) -> bytes:
    """The one JSON encoding of every snapshot file (deterministic bytes)."""
    if isinstance(doc, RawJson):
        return bytes(doc)
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)
    return text.encode("utf-8") + b"\n"


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` via temp file + fsync + rename (+ directory fsync)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


@dataclass(frozen=True, slots=True)
class Watermark:
    """The input a snapshot set reflects: the files read and the max offset per partition."""

    files: tuple[str, ...]
    offsets: Mapping[str, int]  # "topic:partition" -> max source offset

    def to_dict(self) -> dict[str, Any]:
        return {"files": list(self.files), "offsets": dict(sorted(self.offsets.items()))}


@dataclass(frozen=True, slots=True)
class Announcement:
    tenant_id: str
    dir: str
    version: int
    as_of: str | None

    def to_json(self) -> bytes:
        return encode({"tenant_id": self.tenant_id, "dir": self.dir, "version": self.version,
                       "as_of": self.as_of})


class Announcer(Protocol):
    def announce(self, note: Announcement) -> None: ...


class NullAnnouncer:
    """No broker configured: the manifest on disk is the only signal."""

    def announce(self, note: Announcement) -> None:
        log.debug("snapshot set written", extra={"tenant": note.tenant_id, "version": note.version})


class KafkaAnnouncer:
    """Best-effort announcements on finops.snapshots.v1; a down broker is logged, not raised."""

    def __init__(self, bootstrap_servers: str, topic: str | None = None,
                 timeout_s: float = 5.0, backoff_s: float = 60.0) -> None:
        from confluent_kafka import Producer

        from schemas.topics import SNAPSHOTS_TOPIC

        self.topic = topic or SNAPSHOTS_TOPIC
        self.timeout_s = timeout_s
        self.backoff_s = backoff_s
        self._down_until = 0.0  # after a failure, skip (not wait on) the broker for a while
        self._producer = Producer({
            "bootstrap.servers": bootstrap_servers,
            "message.timeout.ms": int(timeout_s * 1000),
            "socket.timeout.ms": int(timeout_s * 1000),
            "enable.idempotence": True,
            "acks": "all",
            "log_level": 3,
        })

    def announce(self, note: Announcement) -> None:
        import time

        if time.monotonic() < self._down_until:
            log.debug("broker marked down; announcement skipped", extra={"tenant": note.tenant_id})
            return
        failures: list[str] = []

        def delivered(err: Any, _msg: Any) -> None:
            if err is not None:
                failures.append(str(err))

        try:
            self._producer.produce(self.topic, key=note.tenant_id.encode(), value=note.to_json(),
                                   on_delivery=delivered)
            left = self._producer.flush(self.timeout_s)
        except Exception as exc:  # BufferError, KafkaException: never stop the jobs
            log.warning("snapshot announcement failed",
                        extra={"tenant": note.tenant_id, "topic": self.topic, "error": str(exc)})
            self._down_until = time.monotonic() + self.backoff_s
            return
        if left or failures:
            log.warning("snapshot announcement not delivered",
                        extra={"tenant": note.tenant_id, "topic": self.topic,
                               "error": "; ".join(failures) or f"{left} pending after flush"})
            self._down_until = time.monotonic() + self.backoff_s


@dataclass(frozen=True, slots=True)
class WriteResult:
    tenant_id: str
    dir: Path
    version: int
    written: bool  # False: the set on disk already had these exact bytes


def _current_manifest(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def write_snapshot_set(
    snapshots_dir: Path,
    tenant_id: str,
    docs: Mapping[str, Any],
    *,
    as_of: str | None,
    watermark: Watermark,
    version: int,
    announcer: Announcer | None = None,
) -> WriteResult:
    """Write one tenant's set (manifest last) unless identical bytes are already there."""
    missing = set(SNAPSHOT_FILES) - set(docs)
    extra = set(docs) - set(SNAPSHOT_FILES) - set(OPTIONAL_FILES)
    if missing or extra:
        raise ValueError(f"snapshot set for {tenant_id!r}: missing {sorted(missing)}, "
                         f"unexpected {sorted(extra)}")
    out = snapshots_dir / tenant_id
    names = [*SNAPSHOT_FILES, *(n for n in OPTIONAL_FILES if n in docs)]
    encoded = {name: encode(docs[name]) for name in names}
    manifest = {
        "tenant_id": tenant_id,
        "as_of": as_of,
        "watermark": watermark.to_dict(),
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in encoded.items()},
        "version": version,
    }
    manifest_bytes = encode(manifest)
    if _current_manifest(out / MANIFEST) == json.loads(manifest_bytes) and all(
        (out / name).is_file() for name in names
    ):
        return WriteResult(tenant_id, out, version, written=False)
    for name in names:
        atomic_write(out / name, encoded[name])
    atomic_write(out / MANIFEST, manifest_bytes)
    (announcer or NullAnnouncer()).announce(Announcement(tenant_id, str(out), version, as_of))
    return WriteResult(tenant_id, out, version, written=True)
