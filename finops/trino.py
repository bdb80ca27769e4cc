"""The real Trino server on the developer's machine, pointed at the stream's Iceberg tables.

Why this way: Trino ships as one tarball on Maven Central (`io.trino:trino-server:<v>:tar.gz`);
`fetch()` gets it with Maven (which keeps it in ~/.m2, so a second checkout on the same machine
only extracts), unpacks it into the git-ignored `.cache/trino/`, keeps only the plugins used
(iceberg, tpch) and adds the SQLite JDBC driver (`org.xerial:sqlite-jdbc`) to the iceberg plugin.

Catalog both speak: Iceberg's JDBC catalog. pyiceberg's embedded SQL catalog is that catalog's
schema (`iceberg_tables`, `iceberg_namespace_properties`) in a SQLite file under the data dir, so
Trino's Iceberg connector (`iceberg.catalog.type=jdbc`) reads the very tables the stream writes,
with no catalog server between them. For several machines, point both at PostgreSQL (the
driver is in Trino's iceberg plugin) or at a REST catalog (docs/iceberg.md).

Trino needs Java 24+: it runs on the Temurin 25 JDK these machines carry beside Java 17
(`FINOPS_TRINO_JAVA_HOME` overrides). Config, pid file, logs: all under the run directory.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import tarfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common.settings import CACHE_DIR

log = logging.getLogger(__name__)

TRINO_VERSION = os.environ.get("FINOPS_TRINO_VERSION", "476")
SQLITE_JDBC = "org.xerial:sqlite-jdbc:3.54.1.0"
JAVA_HOME = Path(os.environ.get("FINOPS_TRINO_JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"))
TRINO_DIR = CACHE_DIR / "trino"
KEEP_PLUGINS = ("iceberg", "tpch")
DEFAULT_PORT = 41381
HEAP = "2G"
USER = "finops"


class TrinoError(RuntimeError):
    """Trino could not be fetched, started, stopped or queried; the message says why."""


def server_dir(version: str = TRINO_VERSION) -> Path:
    return TRINO_DIR / f"trino-server-{version}"


def _mvn_copy(artifact: str, out: Path) -> None:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise TrinoError("`mvn` not found on PATH: install Maven (e.g. `apt-get install maven`)")
    cmd = [mvn, "-q", "-B", "-Dstyle.color=never", "dependency:copy", f"-Dartifact={artifact}",
           f"-DoutputDirectory={out}"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=out)
    if proc.returncode != 0:
        raise TrinoError(f"mvn failed (exit {proc.returncode}) fetching {artifact}:\n"
                         f"{(proc.stdout + proc.stderr).strip()[-3000:]}")


def fetch(version: str = TRINO_VERSION, *, force: bool = False) -> Path:
    """The unpacked server (idempotent: a complete one is reused). A fresh machine downloads
    ~820 MB (trino-server-476.tar.gz) and keeps ~510 MB unpacked after pruning plugins."""
    target = server_dir(version)
    marker = target / ".complete"
    if marker.exists() and not force:
        return target
    dl = TRINO_DIR / "download"
    dl.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    tarball = dl / f"trino-server-{version}.tar.gz"
    if not tarball.exists():
        log.info("fetching trino server from Maven Central", extra={"version": version})
        _mvn_copy(f"io.trino:trino-server:{version}:tar.gz", dl)
    _mvn_copy(SQLITE_JDBC, dl)
    staging = TRINO_DIR / f".staging-{version}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with tarfile.open(tarball) as tar:  # hard links between plugins: unpack whole, then prune
        tar.extractall(staging, filter="fully_trusted")
    unpacked = staging / f"trino-server-{version}"
    for plugin in (unpacked / "plugin").iterdir():
        if plugin.name not in KEEP_PLUGINS:
            shutil.rmtree(plugin)
    driver = next(dl.glob("sqlite-jdbc-*.jar"))
    shutil.copy2(driver, unpacked / "plugin" / "iceberg" / driver.name)
    shutil.rmtree(target, ignore_errors=True)
    unpacked.rename(target)
    shutil.rmtree(staging, ignore_errors=True)
    tarball.unlink()  # Maven keeps its own copy in ~/.m2: the next fetch only unpacks
    (target / ".complete").write_text(f"{version}\n")
    log.info("trino server ready", extra={"dir": str(target), "seconds": round(time.monotonic() - t0, 1)})
    return target


@dataclass(frozen=True)
class TrinoStatus:
    running: bool
    answering: bool
    pid: int | None
    url: str
    log: Path


class LocalTrino:
    """One Trino node (coordinator and worker) on 127.0.0.1:`port`, catalog `iceberg` = the
    Iceberg tables under `iceberg_root` (the stream's `--iceberg-dir`)."""

    def __init__(self, iceberg_root: Path, *, port: int = DEFAULT_PORT, run_dir: Path | None = None,
                 version: str = TRINO_VERSION) -> None:
        self.iceberg_root = iceberg_root.resolve()
        self.port = port
        self.run_dir = (run_dir or TRINO_DIR / f"run-{port}").resolve()
        self.version = version

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def etc(self) -> Path:
        return self.run_dir / "etc"

    @property
    def data(self) -> Path:
        return self.run_dir / "data"

    @property
    def log_path(self) -> Path:
        return self.data / "var" / "log" / "server.log"

    def _launcher(self, action: str) -> subprocess.CompletedProcess[str]:
        java = JAVA_HOME / "bin" / "java"
        if not java.exists():
            raise TrinoError(f"{java} missing: Trino {self.version} needs Java 24+ "
                             "(set FINOPS_TRINO_JAVA_HOME to a JDK 25)")
        env = {**os.environ, "JAVA_HOME": str(JAVA_HOME), "PATH": f"{JAVA_HOME / 'bin'}:{os.environ['PATH']}"}
        cmd = [str(server_dir(self.version) / "bin" / "launcher"), action, "--etc-dir", str(self.etc),
               "--data-dir", str(self.data)]
        return subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)

    def write_config(self) -> None:
        (self.etc / "catalog").mkdir(parents=True, exist_ok=True)
        self.data.mkdir(parents=True, exist_ok=True)
        files = {
            "node.properties": f"node.environment=finops\nnode.id=finops-{self.port}\nnode.data-dir={self.data}\n",
            "jvm.config": f"-server\n-Xmx{HEAP}\n-XX:+UseG1GC\n-XX:+ExitOnOutOfMemoryError\n"
                          "-Djdk.attach.allowAttachSelf=true\n",
            "config.properties": (
                "coordinator=true\nnode-scheduler.include-coordinator=true\n"
                f"http-server.http.port={self.port}\ndiscovery.uri={self.url}\n"
                "query.max-memory=1GB\nquery.max-memory-per-node=1GB\n"
            ),
            "catalog/iceberg.properties": catalog_properties(self.iceberg_root),
        }
        for name, text in files.items():
            (self.etc / name).write_text(text)

    def status(self) -> TrinoStatus:
        running = self._launcher("status").returncode == 0 if server_dir(self.version).exists() else False
        pid_file = self.data / "var" / "run" / "launcher.pid"
        pid = int(pid_file.read_text().strip()) if running and pid_file.exists() else None
        return TrinoStatus(running, running and self.answering(), pid, self.url, self.log_path)

    def answering(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/v1/info", timeout=2) as resp:
                return not json.load(resp).get("starting", True)
        except (OSError, ValueError):
            return False

    def start(self, wait: float = 600.0) -> TrinoStatus:
        """Start detached (idempotent) and wait until the server has started."""
        fetch(self.version)
        ensure_tables(self.iceberg_root)
        if self.status().running:
            self._wait_ready(wait)
            return self.status()
        self.write_config()
        proc = self._launcher("start")
        if proc.returncode != 0:
            raise TrinoError(f"trino launcher start failed: {(proc.stdout + proc.stderr).strip()}")
        self._wait_ready(wait)
        return self.status()

    def _wait_ready(self, wait: float) -> None:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.answering():
                return
            if self._launcher("status").returncode != 0:
                raise TrinoError(f"trino exited while starting; log {self.log_path}:\n{_tail(self.log_path)}")
            time.sleep(1.0)
        raise TrinoError(f"trino not started after {wait:.0f}s; log {self.log_path}")

    def stop(self) -> bool:
        if not server_dir(self.version).exists() or not self.status().running:
            return False
        proc = self._launcher("stop")
        if proc.returncode != 0:
            self._launcher("kill")
        return True

    def query(self, sql: str, timeout: float = 300.0) -> list[list[Any]]:
        return query(self.url, sql, timeout=timeout)


def ensure_tables(iceberg_root: Path) -> None:
    """Create the catalog and the stream's tables first (pyiceberg), so Trino finds them at once."""
    from sinks.iceberg_tables import TABLES, ensure_table, open_catalog

    catalog = open_catalog(iceberg_root)
    for spec in TABLES.values():
        ensure_table(catalog, spec)


def catalog_properties(iceberg_root: Path) -> str:
    """Trino's `iceberg` catalog on the same SQLite JDBC catalog pyiceberg writes (catalog name
    `finops`, as `sinks.iceberg_tables.open_catalog` names it)."""
    return (
        "connector.name=iceberg\n"
        "iceberg.catalog.type=jdbc\n"
        "iceberg.jdbc-catalog.catalog-name=finops\n"
        "iceberg.jdbc-catalog.driver-class=org.sqlite.JDBC\n"
        f"iceberg.jdbc-catalog.connection-url=jdbc:sqlite:{iceberg_root / 'catalog.db'}\n"
        f"iceberg.jdbc-catalog.default-warehouse-dir=file://{iceberg_root / 'warehouse'}\n"
        "fs.hadoop.enabled=true\n"  # file:// paths, as pyiceberg writes them
    )


def query(url: str, sql: str, *, timeout: float = 300.0, catalog: str = "iceberg") -> list[list[Any]]:
    """Rows of one statement through Trino's HTTP protocol (POST /v1/statement, follow nextUri)."""
    headers = {"X-Trino-User": USER, "X-Trino-Catalog": catalog}
    req = urllib.request.Request(f"{url}/v1/statement", data=sql.encode(), headers=headers, method="POST")
    deadline = time.monotonic() + timeout
    rows: list[list[Any]] = []
    with urllib.request.urlopen(req, timeout=30) as resp:
        doc = json.load(resp)
    while True:
        if "error" in doc:
            err = doc["error"]
            raise TrinoError(f"trino: {err.get('errorName')}: {err.get('message')} (query: {sql[:200]})")
        rows += doc.get("data", [])
        next_uri = doc.get("nextUri")
        if not next_uri:
            return rows
        if time.monotonic() > deadline:
            raise TrinoError(f"trino: no result after {timeout:.0f}s (query: {sql[:200]})")
        with urllib.request.urlopen(urllib.request.Request(next_uri, headers=headers), timeout=30) as resp:
            doc = json.load(resp)


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
