"""Live updates: snapshot announcements in, server-sent events out.

Two sources say "tenant T has a new snapshot set": a Kafka consumer on `finops.snapshots.v1`
(when a bootstrap server is configured) and a file watcher polling each tenant's
`manifest.json` (always on, so the dashboard stays live with no broker, and catches a set
whose announcement was lost). Either one makes the store reload and validate the set; a
tenant's subscribers then get one event per new version (the two sources are de-duplicated
by version), or an error event when the new set was rejected. Each SSE client has its own
bounded queue: a slow browser drops old events (it only needs the latest) and never blocks
the watcher or other clients.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

from web.snapshots import SnapshotStore, valid_tenant
from web.views import warm

log = logging.getLogger(__name__)

HEARTBEAT_S = 15.0
CLOSE: dict[str, Any] = {"type": "close"}  # sentinel that ends a stream


class Broadcaster:
    """Fan-out of per-tenant events to subscriber queues."""

    def __init__(self, maxsize: int = 16) -> None:
        self._subs: dict[str, set[queue.Queue[dict[str, Any]]]] = {}
        self._lock = threading.Lock()
        self._maxsize = maxsize
        self.closed = False

    def subscribe(self, tenant: str) -> queue.Queue[dict[str, Any]]:
        q: queue.Queue[dict[str, Any]] = queue.Queue(self._maxsize)
        with self._lock:
            self._subs.setdefault(tenant, set()).add(q)
        return q

    def unsubscribe(self, tenant: str, q: queue.Queue[dict[str, Any]]) -> None:
        with self._lock:
            self._subs.get(tenant, set()).discard(q)

    def subscribers(self, tenant: str) -> int:
        with self._lock:
            return len(self._subs.get(tenant, ()))

    def counts(self) -> dict[str, int]:
        """Open streams per tenant (the web metrics' SSE gauge)."""
        with self._lock:
            return {t: len(subs) for t, subs in sorted(self._subs.items())}

    def close(self) -> None:
        """End every open stream (shutdown): browsers reconnect, to this or the next process."""
        with self._lock:
            self.closed = True
            targets = [q for subs in self._subs.values() for q in subs]
        for q in targets:
            while True:
                try:
                    q.put_nowait(CLOSE)
                    break
                except queue.Full:
                    try:
                        q.get_nowait()
                    except queue.Empty:
                        pass

    def publish(self, tenant: str, event: dict[str, Any]) -> int:
        """Deliver to the tenant's subscribers only; returns how many got it."""
        with self._lock:
            targets = list(self._subs.get(tenant, ()))
        for q in targets:
            while True:
                try:
                    q.put_nowait(event)
                    break
                except queue.Full:
                    try:
                        q.get_nowait()  # drop the oldest: only the latest state matters
                    except queue.Empty:
                        pass
        return len(targets)


def _files_key(snap: Any) -> tuple[tuple[str, str], ...]:
    files = (snap.manifest.get("files") if snap is not None else None) or {}
    return tuple(sorted((str(k), str(v)) for k, v in files.items())) if isinstance(files, dict) else ()


class Announcer:
    """Turns "tenant T may have changed" into at most one event per new snapshot set (a new
    version, or new content under the same version)."""

    def __init__(self, store: SnapshotStore, broadcaster: Broadcaster) -> None:
        self.store = store
        self.broadcaster = broadcaster
        self._last: dict[str, tuple[Any, Any]] = {}
        self._lock = threading.Lock()

    def poke(self, tenant: str, source: str) -> dict[str, Any] | None:
        """Reload the tenant's set; publish when its version or error changed."""
        if not valid_tenant(tenant):
            log.warning("announcement for an invalid tenant ignored", extra={"source": source})
            return None
        if self.broadcaster.subscribers(tenant) == 0:
            # Nobody is looking: don't load (or keep in memory) a set no page needs yet; the
            # first request loads it, and the next change is announced once someone listens.
            return None
        view = self.store.view(tenant)
        snap = view.snapshot
        # The files' hashes too: a suppression change rebuilds a set with the same version
        # (the input row count) and as-of time, and its pages must still hear of it.
        key = (snap.version if snap else None, snap.as_of if snap else None,
               _files_key(snap)), view.error
        with self._lock:
            if self._last.get(tenant) == key:
                return None
            self._last[tenant] = key
        try:
            warm(snap)
        except Exception:  # a page will hit (and report) the same problem; still announce
            log.exception("warming page data failed", extra={"tenant": tenant})
        event = {
            "type": "error" if view.error else "snapshot",
            "tenant": tenant,
            "version": snap.version if snap else None,
            "as_of": snap.as_of if snap else None,
            "error": view.error,
            "source": source,
            "sent_at": time.time(),
        }
        self.broadcaster.publish(tenant, event)
        return event


class FileWatcher(threading.Thread):
    """Polls every tenant's manifest stamp; the fallback that works with no broker."""

    def __init__(self, announcer: Announcer, interval: float = 0.5) -> None:
        super().__init__(name="snapshot-file-watcher", daemon=True)
        self.announcer = announcer
        self.interval = interval
        self.stop_event = threading.Event()
        self._stamps: dict[str, Any] = {}

    def scan_once(self) -> None:
        store = self.announcer.store
        for tenant in store.tenants_on_disk():
            stamp = store.stamp(tenant)
            if stamp is not None and stamp != self._stamps.get(tenant):
                self._stamps[tenant] = stamp
                self.announcer.poke(tenant, "file")

    def run(self) -> None:
        while not self.stop_event.is_set():
            try:
                self.scan_once()
            except Exception:  # keep watching: one bad directory must not end live updates
                log.exception("file watcher pass failed")
            self.stop_event.wait(self.interval)

    def stop(self) -> None:
        self.stop_event.set()


class KafkaWatcher(threading.Thread):
    """Consumes snapshot announcements (key tenant, JSON value) from Kafka."""

    def __init__(self, announcer: Announcer, bootstrap: str, topic: str) -> None:
        super().__init__(name="snapshot-kafka-watcher", daemon=True)
        self.announcer = announcer
        self.bootstrap = bootstrap
        self.topic = topic
        self.stop_event = threading.Event()
        self.ready = threading.Event()
        self._last_error_at: dict[str, float] = {}

    def _tenant_of(self, key: bytes | None, value: bytes | None) -> str | None:
        try:
            doc = json.loads(value) if value else {}
        except ValueError:
            doc = {}
        tenant = doc.get("tenant_id") if isinstance(doc, dict) else None
        if not tenant and key:
            tenant = key.decode("utf-8", "replace")
        return tenant if isinstance(tenant, str) else None

    def _warn(self, error: Any) -> None:
        """Log a consumer error, each kind at most once a minute (a down broker repeats)."""
        kind = error.name() if hasattr(error, "name") else str(error)
        now = time.monotonic()
        if now - self._last_error_at.get(kind, -1e9) > 60:
            log.warning("snapshot announcement consumer error; retrying (the file watcher "
                        "keeps pages live meanwhile)",
                        extra={"error": str(error), "topic": self.topic,
                               "bootstrap": self.bootstrap})
            self._last_error_at[kind] = now

    def _on_assign(self, consumer: Any, partitions: list[Any]) -> None:
        """Start at each partition's current end, resolved now, so `ready` means "from here".

        With only `auto.offset.reset=latest` the end is looked up later, on the first fetch,
        and an announcement made in between would be skipped.
        """
        for part in partitions:
            _low, high = consumer.get_watermark_offsets(part, timeout=10)
            part.offset = high
        consumer.assign(partitions)
        self.ready.set()

    def run(self) -> None:
        from confluent_kafka import Consumer, KafkaError

        # A group of its own per process: every web process must see every announcement.
        consumer = Consumer({
            "bootstrap.servers": self.bootstrap,
            "group.id": f"finops-web-{uuid.uuid4().hex[:12]}",
            "auto.offset.reset": "latest",
            "enable.auto.commit": False,
            "topic.metadata.refresh.interval.ms": 2000,
            # librdkafka would print every failed connect to stderr; its errors come through
            # error_cb instead, logged once a minute each (the file watcher keeps pages live).
            "log_level": 0,
            "error_cb": self._warn,
            "reconnect.backoff.max.ms": 10000,
        })
        try:
            consumer.subscribe([self.topic], on_assign=self._on_assign)
            while not self.stop_event.is_set():
                msg = consumer.poll(0.5)
                if msg is None:
                    continue
                err = msg.error()
                if err is not None:
                    if err.code() != KafkaError._PARTITION_EOF:
                        self._warn(err)
                    continue
                tenant = self._tenant_of(msg.key(), msg.value())
                if tenant:
                    self.announcer.poke(tenant, "kafka")
        except Exception:
            log.exception("kafka watcher stopped; file watcher keeps the dashboard live",
                          extra={"bootstrap": self.bootstrap, "topic": self.topic})
        finally:
            consumer.close()

    def stop(self) -> None:
        self.stop_event.set()


def sse(event: dict[str, Any] | None, name: str = "snapshot") -> str:
    """One server-sent event frame (a comment frame as heartbeat when event is None)."""
    if event is None:
        return ": heartbeat\n\n"
    return f"event: {name}\ndata: {json.dumps(event, sort_keys=True)}\n\n"


def stream(broadcaster: Broadcaster, tenant: str, hello: dict[str, Any],
           heartbeat: float = HEARTBEAT_S) -> Iterator[str]:
    """The SSE body for one client: a hello with the current version, then live events."""
    q = broadcaster.subscribe(tenant)
    try:
        if broadcaster.closed:
            return
        yield "retry: 2000\n" + sse(hello, "hello")
        while True:
            try:
                event = q.get(timeout=heartbeat)
            except queue.Empty:
                yield sse(None)
                continue
            if event is CLOSE:
                return
            yield sse(event, event.get("type", "snapshot"))
    finally:
        broadcaster.unsubscribe(tenant, q)
