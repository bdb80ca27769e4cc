"""Shared by the stress engine, the integration tests and the benchmark: produce synthetic input,
run a real stream worker process, wait for its commits, and read back what it wrote."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition

from producers.publisher import FindingPublisher
from schemas.topics import ensure_topics
from tools.stress.generator import Message

_COORDINATOR_BUSY = {
    KafkaError.COORDINATOR_LOAD_IN_PROGRESS,
    KafkaError.COORDINATOR_NOT_AVAILABLE,
    KafkaError.NOT_COORDINATOR,
}


@dataclass(frozen=True)
class Topics:
    raw: str
    dlq: str
    scans: str
    group: str

    @classmethod
    def unique(cls, prefix: str = "stress") -> Topics:
        tag = uuid.uuid4().hex[:10]
        return cls(f"{prefix}.{tag}.raw", f"{prefix}.{tag}.dlq", f"{prefix}.{tag}.scans", f"{prefix}-{tag}")

    def create(self, bootstrap: str, partitions: int) -> None:
        ensure_topics(
            bootstrap,
            {self.raw: partitions, self.dlq: partitions, self.scans: 1},
            compacted=frozenset({self.dlq}),
        )


def produce(bootstrap: str, topic: str, messages: Iterable[Message]) -> int:
    with FindingPublisher(bootstrap, topic) as pub:
        for m in messages:
            pub.publish_raw(topic, m.key, m.value, headers=dict(m.headers))
    return pub.delivered


class PacedProducer:
    """Produces `messages` on a thread in `steps` slices `pause` seconds apart, so that SIGKILLs
    land while a worker is busy; once the kills are done, `hurry()` sends the rest at once (pacing
    then only adds wall time: 60 paced slices took ~55 s of each ~70 s crash test)."""

    def __init__(self, bootstrap: str, topic: str, messages: Sequence[Message], *, steps: int = 60,
                 pause: float = 0.5) -> None:
        self._args = (bootstrap, topic, messages, max(1, len(messages) // steps), pause)
        self._hurry = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="paced-producer", daemon=True)

    def _run(self) -> None:
        bootstrap, topic, messages, step, pause = self._args
        try:
            with FindingPublisher(bootstrap, topic) as pub:
                for i in range(0, len(messages), step):
                    for m in messages[i : i + step]:
                        pub.publish_raw(topic, m.key, m.value, headers=dict(m.headers))
                    pub.flush()  # each slice is on the broker before the pause
                    self._hurry.wait(pause)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread by join()
            self._error = exc

    def start(self) -> PacedProducer:
        self._thread.start()
        return self

    def hurry(self) -> None:
        self._hurry.set()

    def join(self) -> None:
        """Wait until every message is delivered; a delivery failure is raised here."""
        self._thread.join()
        if self._error is not None:
            raise self._error


def end_offsets(bootstrap: str, topic: str) -> dict[int, int]:
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"probe-{uuid.uuid4().hex[:6]}"})
    try:
        parts = c.list_topics(topic, timeout=30).topics[topic].partitions
        return {p: c.get_watermark_offsets(TopicPartition(topic, p), timeout=30)[1] for p in sorted(parts)}
    finally:
        c.close()


def committed(bootstrap: str, group: str, topic: str, partitions: Iterable[int]) -> dict[int, int]:
    """The group's committed offsets; NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS (a broker just
    started, its group coordinator still loading) are asked again for up to 60 s."""
    parts = list(partitions)
    transient = {KafkaError.NOT_COORDINATOR, KafkaError.COORDINATOR_LOAD_IN_PROGRESS}
    deadline = time.monotonic() + 60
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    try:
        while True:
            try:
                tps = c.committed([TopicPartition(topic, p) for p in parts], timeout=30)
                return {tp.partition: tp.offset for tp in tps}
            except KafkaException as exc:
                err = exc.args[0] if exc.args else None
                if not (isinstance(err, KafkaError) and err.code() in transient) or time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
    finally:
        c.close()


class StreamWorker:
    """`finops stream` as a real child process (so it can be SIGKILLed)."""

    def __init__(self, bootstrap: str, topics: Topics, out: Path, log_path: Path, *, chunk_records: int,
                 batch_max: int = 5000, partitions: int = 6, engine: str = "faust",
                 extra_args: Sequence[str] = (), sink: str = "parquet", scans_out: Path | None = None,
                 cwd: Path | None = None) -> None:
        self.cmd = [
            sys.executable, "-m", "finops.cli", "--log-level", "INFO", "stream",
            "--bootstrap", bootstrap, "--topic", topics.raw, "--dlq-topic", topics.dlq,
            "--scans-topic", topics.scans, "--no-scans", "--group", topics.group,
            "--out", str(out), "--chunk-records", str(chunk_records), "--batch-max", str(batch_max),
            "--partitions", str(partitions), "--engine", engine,
            "--data-dir", str(out.parent / "worker-state"), *extra_args,
        ]
        if scans_out is not None:  # consume the scans topic too
            self.cmd.remove("--no-scans")
            self.cmd += ["--scans-out", str(scans_out)]
        if sink == "iceberg":  # `out` is then the Iceberg root (catalog + warehouse)
            self.cmd += ["--sink", "iceberg", "--iceberg-dir", str(out)]
        self.log_path = log_path
        self.cwd = cwd  # the child's working directory (default: the caller's)
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> StreamWorker:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - owned by the child for its lifetime
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        if self.cwd is not None:
            self.cwd.mkdir(parents=True, exist_ok=True)
            # run from anywhere: the child must import this checkout, not whatever is in its cwd
            root = str(Path(__file__).resolve().parents[2])
            env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
        self.proc = subprocess.Popen(self.cmd, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
                                     cwd=self.cwd)
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        if self.alive():
            os.killpg(self.pid, signal.SIGKILL)
            assert self.proc is not None
            self.proc.wait(30)

    def wait(self, timeout: float) -> int:
        """Exit code of a worker expected to stop by itself (TimeoutExpired if it does not)."""
        assert self.proc is not None
        return self.proc.wait(timeout)

    def stop(self, timeout: float = 30.0) -> int | None:
        if not self.alive():
            return self.proc.returncode if self.proc else None
        assert self.proc is not None
        os.killpg(self.pid, signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None


def wait_until_committed(bootstrap: str, group: str, topic: str, ends: dict[int, int], *,
                         timeout: float, worker: StreamWorker | None = None) -> dict[int, int]:
    """Poll the group's committed offsets until every partition reached its end offset."""
    deadline = time.monotonic() + timeout
    last: dict[int, int] = {}
    while time.monotonic() < deadline:
        try:
            last = committed(bootstrap, group, topic, ends)
        except KafkaException as exc:
            # a fresh broker answers NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS while its
            # offsets topic loads: retriable, like the consumer itself treats it
            err = exc.args[0] if exc.args else None
            if not isinstance(err, KafkaError) or not (err.retriable() or err.code() in _COORDINATOR_BUSY):
                raise
            time.sleep(0.5)
            continue
        if all(last.get(p, -1) >= end for p, end in ends.items()):
            return last
        if worker is not None and not worker.alive():
            raise RuntimeError(f"stream worker died; see {worker.log_path}")
        time.sleep(0.5)
    raise TimeoutError(f"group {group} committed {last}, expected {ends}")


def wait_for_progress(bootstrap: str, group: str, topic: str, partitions: Iterable[int], *,
                      timeout: float = 60.0) -> bool:
    """Block until the group's committed offsets of `topic` move past where they are now (a worker
    is busy, so a kill lands mid-batch, mid-write or mid-commit); False after `timeout`."""
    parts = list(partitions)

    def total() -> int:
        return sum(max(o, 0) for o in committed(bootstrap, group, topic, parts).values())

    before = total()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if total() > before:
            return True
        time.sleep(0.2)
    return False


def temporaries(root: Path) -> list[Path]:
    """Temporary files of the Parquet writer still under `root`."""
    from sinks.parquet_format import TMP_PREFIX, TMP_SUFFIX

    return sorted(root.rglob(f"{TMP_PREFIX}*{TMP_SUFFIX}"))


def dead_letters(bootstrap: str, topic: str, expected: int, timeout: float = 60.0) -> dict[str, str]:
    """Distinct dead letters (key -> reason) read from the compacted DLQ topic."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"dlq-{uuid.uuid4().hex[:6]}",
                  "auto.offset.reset": "earliest", "enable.auto.commit": False})
    out: dict[str, str] = {}
    try:
        c.subscribe([topic])
        deadline = time.monotonic() + timeout
        idle_until = None
        while time.monotonic() < deadline:
            msgs = c.consume(1000, timeout=1.0)
            for m in msgs:
                if m.error():
                    continue
                out[m.key().decode()] = dict(m.headers() or [])["dlq.reason"].decode()
            if len(out) >= expected:
                idle_until = idle_until or time.monotonic() + 2.0  # then a little longer for extras
                if time.monotonic() >= idle_until:
                    break
        return out
    finally:
        c.close()


def parquet_counts(root: Path) -> dict[str, int]:
    files = sorted(str(p) for p in root.rglob("*.parquet"))
    if not files:
        return {"rows": 0, "distinct_offsets": 0, "distinct_fingerprints": 0, "files": 0}
    row = duckdb.connect().execute(
        "select count(*), count(distinct (source_topic, source_partition, source_offset)), "
        "count(distinct fingerprint) from read_parquet($files, hive_partitioning=false)",
        {"files": files},
    ).fetchone()
    assert row is not None
    rows, distinct, fps = row
    return {"rows": rows, "distinct_offsets": distinct, "distinct_fingerprints": fps, "files": len(files)}


def iceberg_findings(root: Path) -> pa.Table:
    """Every finding row the Iceberg table under `root` holds (current snapshot), contract schema."""
    from contracts.schema import FINDING_SCHEMA
    from sinks.iceberg_tables import FINDINGS, ensure_table, open_catalog, read_table

    return read_table(ensure_table(open_catalog(root), FINDINGS), FINDING_SCHEMA)


def table_counts(rows: pa.Table) -> dict[str, int]:
    """Like `parquet_counts`, over rows in memory (the Iceberg table's)."""
    con = duckdb.connect()
    con.register("rows", rows)
    row = con.execute(
        "select count(*), count(distinct (source_topic, source_partition, source_offset)), "
        "count(distinct fingerprint) from rows"
    ).fetchone()
    assert row is not None
    return {"rows": row[0], "distinct_offsets": row[1], "distinct_fingerprints": row[2]}


def tree_digest(root: Path, pattern: str = "*.parquet") -> dict[str, str]:
    """Relative path -> sha256 of every file: byte-identity of two output trees."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob(pattern))
    }


def reason_counts(messages: Iterable[Message]) -> Counter[str]:
    return Counter(m.reason for m in messages if not m.valid and m.reason)
