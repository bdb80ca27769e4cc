"""A real Apache Kafka broker on the developer's machine, run by the project itself.

Why not Docker: the dev and CI machines have Java and Maven but no Docker engine, and a real broker
(not a mock) is what makes the delivery guarantees testable. `fetch()` copies the Kafka jars from
Maven Central once (the pom in `broker/` pins the version); `LocalBroker` runs one KRaft node
(broker and controller in one JVM) on loopback, detached from the caller, with its pid file,
`server.properties` and log all inside its data directory, so `status()` and `stop()` work from any
later process.
"""

from __future__ import annotations

import base64
import fcntl
import logging
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections import deque
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import psutil

from common.settings import CACHE_DIR, LOCAL_BROKER_PORT, LOCAL_CONTROLLER_PORT, ROOT

log = logging.getLogger(__name__)

KAFKA_DIR = CACHE_DIR / "kafka"
LIBS_DIR = KAFKA_DIR / "libs"
POM = ROOT / "broker" / "pom.xml"
HOST = "127.0.0.1"
HEAP = "768m"
LOG_TAIL_LINES = 40
JAVA_HINT = "install a JDK 17+ (e.g. `apt-get install openjdk-17-jre-headless`)"


class BrokerError(RuntimeError):
    """The local broker could not be fetched, started or stopped; the message says why."""


def default_data_dir(port: int) -> Path:
    """One data directory per port, so two brokers on one machine never share storage."""
    return KAFKA_DIR / f"data-{port}"


def recorded_controller_port(data_dir: Path) -> int | None:
    """The controller port a data directory's broker was last started with, if any."""
    try:
        text = (data_dir / "server.properties").read_text()
    except FileNotFoundError:
        return None
    for line in text.splitlines():
        if line.startswith("controller.quorum.voters="):
            return int(line.rsplit(":", 1)[1])
    return None


def jars_present(libs_dir: Path = LIBS_DIR) -> bool:
    return any(libs_dir.glob("kafka_2.13-*.jar"))


def _require(tool: str, hint: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise BrokerError(f"`{tool}` not found on PATH: {hint}")
    return path


def fetch(libs_dir: Path = LIBS_DIR, *, force: bool = False) -> Path:
    """Copy the Kafka broker jars into `libs_dir` with Maven; a no-op when they are already there.

    Maven resolves relative output paths against the pom's directory, so the path is made absolute.
    """
    libs_dir = libs_dir.resolve()
    if jars_present(libs_dir) and not force:
        log.debug("broker jars present", extra={"libs": str(libs_dir)})
        return libs_dir
    mvn = _require("mvn", "install Maven (e.g. `apt-get install maven`) to fetch the Kafka jars")
    _require("java", JAVA_HINT)
    libs_dir.mkdir(parents=True, exist_ok=True)
    cmd = [
        mvn, "-q", "-B", "-Dstyle.color=never", "-f", str(POM),
        "dependency:copy-dependencies", f"-DoutputDirectory={libs_dir}", "-DincludeScope=runtime",
    ]  # fmt: skip
    log.info("fetching kafka jars", extra={"libs": str(libs_dir)})
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0 or not jars_present(libs_dir):
        out = (proc.stdout + proc.stderr).strip()[-4000:]
        raise BrokerError(f"mvn failed (exit {proc.returncode}) fetching Kafka jars:\n{out}")
    log.info("kafka jars fetched", extra={"jars": len(list(libs_dir.glob("*.jar")))})
    return libs_dir


def cluster_id() -> str:
    """A Kafka cluster id: 16 random bytes, URL-safe base64 without padding (as StorageTool makes).

    Done in Python to save a JVM start; like Kafka, never begin with '-' (it reads as a CLI flag).
    """
    while True:
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not cid.startswith("-"):
            return cid


def port_free(port: int, host: str = HOST) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def free_ports(count: int = 2, host: str = HOST) -> list[int]:
    """`count` distinct ports the OS reports free now (held together, so never the same twice).

    For throwaway brokers in tests and CI; a race with another process remains possible, and
    `LocalBroker.start` then fails with a clear "port is taken" error.
    """
    socks = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for sock in socks:
            sock.bind((host, 0))
        return [sock.getsockname()[1] for sock in socks]
    finally:
        for sock in socks:
            sock.close()


def port_open(port: int, host: str = HOST, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def exited(pid: int) -> bool:
    """True once every thread of `pid` has ended (it may still await its parent's reaping).

    A zombie state alone is not enough: when a multi-threaded process's main thread ends first,
    Linux shows the group leader as a zombie while the other threads still run (and the JVM's
    still hold the broker's ports), and its parent's `poll()` still sees it alive.
    """
    try:
        proc = psutil.Process(pid)
        return proc.status() == psutil.STATUS_ZOMBIE and proc.num_threads() <= 1
    except psutil.NoSuchProcess:
        return True


def tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    if not path.exists():
        return f"(no log at {path})"
    with path.open("r", errors="replace") as fh:
        return "".join(deque(fh, maxlen=lines))


@dataclass(frozen=True)
class BrokerStatus:
    pid: int | None
    bootstrap: str
    controller: str
    data_dir: Path
    log_path: Path
    reachable: bool

    @property
    def running(self) -> bool:
        return self.pid is not None


class LocalBroker:
    """One single-node KRaft broker whose state (config, pid, log, data) lives in `data_dir`."""

    def __init__(
        self,
        port: int = LOCAL_BROKER_PORT,
        controller_port: int = LOCAL_CONTROLLER_PORT,
        data_dir: Path | None = None,
        *,
        libs_dir: Path = LIBS_DIR,
        heap: str = HEAP,
    ) -> None:
        if port == controller_port:
            raise BrokerError(f"broker and controller need different ports (both {port})")
        self.port = port
        self.controller_port = controller_port
        self.data_dir = (data_dir or default_data_dir(port)).resolve()
        self.libs_dir = libs_dir.resolve()
        self.heap = heap
        self._proc: subprocess.Popen[bytes] | None = None

    # -- paths -------------------------------------------------------------------------------
    @property
    def bootstrap(self) -> str:
        return f"{HOST}:{self.port}"

    @property
    def config_path(self) -> Path:
        return self.data_dir / "server.properties"

    @property
    def pid_path(self) -> Path:
        return self.data_dir / "broker.pid"

    @property
    def log_path(self) -> Path:
        return self.data_dir / "broker.log"

    @property
    def log4j_path(self) -> Path:
        return self.data_dir / "log4j2.properties"

    @property
    def storage_dir(self) -> Path:
        return self.data_dir / "kraft"

    # -- public ------------------------------------------------------------------------------
    def status(self) -> BrokerStatus:
        pid = self._live_pid()
        return BrokerStatus(
            pid=pid,
            bootstrap=self.bootstrap,
            controller=f"{HOST}:{self.controller_port}",
            data_dir=self.data_dir,
            log_path=self.log_path,
            reachable=pid is not None and self.reachable(),
        )

    def reachable(self, timeout: float = 5.0) -> bool:
        """True when the broker answers a metadata request and lists itself as a live broker."""
        if not port_open(self.port):
            return False
        from confluent_kafka import KafkaException
        from confluent_kafka.admin import AdminClient

        admin = AdminClient({"bootstrap.servers": self.bootstrap, "log_level": 0})
        try:
            return bool(admin.list_topics(timeout=timeout).brokers)
        except KafkaException:
            return False

    def start(self, wait: float = 60.0) -> BrokerStatus:
        """Start the broker detached and wait until it answers; a running broker is left alone.

        Serialised per data dir (a file lock), so two processes starting the same broker at once
        (say `finops demo` and `make broker-start`) end with one broker, not a port clash.
        """
        if not jars_present(self.libs_dir):
            raise BrokerError(f"no Kafka jars in {self.libs_dir}: run `finops broker fetch` first")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with (self.data_dir / "start.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if self._live_pid() is not None:
                log.info("broker already running", extra={"bootstrap": self.bootstrap})
                self._wait_ready(wait)
                return self.status()
            return self._start(wait)

    def _start(self, wait: float) -> BrokerStatus:
        java = _require("java", JAVA_HINT)
        for name, port in (("broker", self.port), ("controller", self.controller_port)):
            if not port_free(port):
                raise BrokerError(
                    f"{name} port {HOST}:{port} is taken by another process; choose another"
                    " with --port/--controller-port"
                )
        self._write_config()
        self._format_storage(java)
        self._rotate_log()
        cmd = [
            java, f"-Xmx{self.heap}", "-Xms128m", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
            "-Djava.awt.headless=true", f"-Dlog4j2.configurationFile={self.log4j_path}",
            "-cp", f"{self.libs_dir}/*", "kafka.Kafka", str(self.config_path),
        ]  # fmt: skip
        with self.log_path.open("ab") as out:
            # Own session: a Ctrl-C in the starting shell does not reach the broker, and stop()
            # can signal the whole process group.
            proc = self._proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                cwd=self.data_dir, start_new_session=True,
            )  # fmt: skip
        self.pid_path.write_text(f"{proc.pid}\n")
        log.info("broker starting", extra={"pid": proc.pid, "bootstrap": self.bootstrap})
        try:
            self._wait_ready(wait)
        except BrokerError:
            self.stop(timeout=10)
            raise
        log.info("broker ready", extra={"pid": proc.pid, "bootstrap": self.bootstrap})
        return self.status()

    def stop(self, timeout: float = 30.0) -> bool:
        """SIGTERM (a clean, controlled shutdown), then SIGKILL after `timeout`; True if it ran."""
        pid = self._live_pid()
        if pid is None:
            self.pid_path.unlink(missing_ok=True)
            return False
        log.info("broker stopping", extra={"pid": pid, "bootstrap": self.bootstrap})
        self._signal(pid, signal.SIGTERM)
        if not self._wait_exit(pid, timeout):
            log.warning("broker ignored SIGTERM; killing", extra={"pid": pid, "timeout": timeout})
            self._signal(pid, signal.SIGKILL)
            if not self._wait_exit(pid, 10.0):
                raise BrokerError(f"broker pid {pid} survived SIGKILL; log: {self.log_path}")
        self.pid_path.unlink(missing_ok=True)
        self._proc = None
        log.info("broker stopped", extra={"pid": pid})
        return True

    # -- internals ---------------------------------------------------------------------------
    def _live_pid(self) -> int | None:
        """The pid of this broker if it is alive: our own child, else the pid file's process.

        Our child is checked first so that a deleted pid file (a data dir removed by some cleanup)
        never makes this process lose, and leak, the broker it started.
        """
        if self._proc is not None:
            if self._proc.poll() is None:
                return self._proc.pid
            self._proc = None
        try:
            pid = int(self.pid_path.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        if exited(pid):
            return None
        try:
            cmdline = psutil.Process(pid).cmdline()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return None
        if "kafka.Kafka" in cmdline and str(self.config_path) in cmdline:
            return pid
        return None

    def _wait_ready(self, wait: float) -> None:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self._live_pid() is None:
                raise BrokerError(
                    f"broker on {self.bootstrap} exited during start-up; last {LOG_TAIL_LINES} "
                    f"lines of {self.log_path}:\n{tail(self.log_path)}"
                )
            if self.reachable(timeout=2.0):
                return
            time.sleep(0.2)
        raise BrokerError(
            f"broker on {self.bootstrap} did not answer within {wait:.0f}s; last "
            f"{LOG_TAIL_LINES} lines of {self.log_path}:\n{tail(self.log_path)}"
        )

    def _wait_exit(self, pid: int, timeout: float) -> bool:
        if self._proc is not None and self._proc.pid == pid:
            try:
                self._proc.wait(timeout=timeout)
                return True
            except subprocess.TimeoutExpired:
                return False
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if exited(pid):
                return True
            time.sleep(0.1)
        return False

    @staticmethod
    def _signal(pid: int, sig: signal.Signals) -> None:
        try:
            os.killpg(pid, sig)  # the broker leads its own process group (start_new_session)
        except ProcessLookupError:
            return
        except PermissionError:
            os.kill(pid, sig)

    def _write_config(self) -> None:
        self.config_path.write_text(
            server_properties(self.port, self.controller_port, self.storage_dir)
        )
        self.log4j_path.write_text(LOG4J2_PROPERTIES)

    def _format_storage(self, java: str) -> None:
        """Format the KRaft storage once; an already formatted directory keeps its cluster id."""
        if (self.storage_dir / "meta.properties").exists():
            return
        cid = cluster_id()
        cmd = [
            java, "-Xmx256m", f"-Dlog4j2.configurationFile={self.log4j_path}",
            "-cp", f"{self.libs_dir}/*", "kafka.tools.StorageTool",
            "format", "-t", cid, "-c", str(self.config_path),
        ]  # fmt: skip
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            out = (proc.stdout + proc.stderr).strip()[-4000:]
            raise BrokerError(
                f"formatting {self.storage_dir} failed (exit {proc.returncode}):\n{out}"
            )
        log.info(
            "broker storage formatted", extra={"cluster_id": cid, "dir": str(self.storage_dir)}
        )

    def _rotate_log(self) -> None:
        """Keep one previous log, so the tail shown on failure belongs to this start."""
        if self.log_path.exists():
            self.log_path.replace(self.log_path.with_suffix(".log.1"))


def server_properties(port: int, controller_port: int, storage_dir: Path) -> str:
    """Single-node KRaft config for a dev machine (replication factor 1 everywhere)."""
    props = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@{HOST}:{controller_port}",
        "listeners": f"PLAINTEXT://{HOST}:{port},CONTROLLER://{HOST}:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://{HOST}:{port}",
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "inter.broker.listener.name": "PLAINTEXT",
        "log.dirs": str(storage_dir),
        "offsets.topic.replication.factor": "1",
        # 50 partitions (the default) make the first consumer-group join slow on a laptop.
        "offsets.topic.num.partitions": "12",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
        "num.partitions": "6",
        "log.retention.hours": "168",
        # Every producer and stream creates its topics (schemas.topics.ensure_topics): a typo in
        # a topic name then fails loudly instead of silently creating a new topic.
        "auto.create.topics.enable": "false",
        # Two shared cores: fewer I/O threads than the default 8.
        "num.io.threads": "4",
        "num.network.threads": "2",
    }
    lines = ["# written by finops.broker on every start; edits are overwritten"]
    lines += [f"{key}={value}" for key, value in props.items()]
    return "\n".join(lines) + "\n"


LOG4J2_PROPERTIES = """\
# written by finops.broker: INFO to stdout (redirected to broker.log), chatty loggers at WARN
status = warn
# Keep logging through Kafka's own shutdown hook (log4j's hook would stop it half-way).
shutdownHook = disable
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = OUT
logger.state.name = state.change.logger
logger.state.level = WARN
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.network.name = org.apache.kafka.common.network
logger.network.level = WARN
"""


def ensure_dev_broker(stack: ExitStack) -> str:
    """The dev broker's bootstrap address, starting it (jars fetched if needed) when it is not up;
    a broker this call started is stopped when `stack` closes, one already running is left alone."""
    fetch()
    broker = LocalBroker(LOCAL_BROKER_PORT, LOCAL_CONTROLLER_PORT)
    was_up = broker.reachable(timeout=2.0)
    broker.start()
    if not was_up:
        stack.callback(broker.stop)
    return broker.bootstrap
