"""The snapshot store: the only way the web layer reads data.

A tenant's snapshot set lives in `<data_dir>/snapshots/<tenant>/`; the jobs write the data
files first and `manifest.json` last, so a manifest names a complete set (with a sha256 per
file). The store reloads a tenant's set only when its manifest changed on disk, checks every
file against the manifest, and keeps the last set that passed: a half-written or corrupt
snapshot shows an error banner over the last good data instead of a blank or broken page.

The tenant is never taken from a URL: it comes from the authenticated request, and the
directory name is validated so it cannot walk out of `snapshots/`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
TENANT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

# The data files a set may hold, with the JSON type each must have and its value when absent.
DATA_FILES: dict[str, type] = {
    "findings.json": list,
    "summary.json": dict,
    "top_savings.json": list,
    "correlated_findings.json": list,
    "coverage.json": dict,
    "scans.json": list,
    "trend.json": list,
    "realized.json": dict,
}


class SnapshotError(Exception):
    """A snapshot set that cannot be served (missing, unreadable, fails its manifest)."""


def valid_tenant(tenant: str) -> bool:
    """True when `tenant` is safe as one directory name (no separators, no dot-dot)."""
    return bool(TENANT_RE.match(tenant)) and ".." not in tenant


@dataclass(frozen=True)
class Snapshot:
    """One validated snapshot set of one tenant, immutable once loaded."""

    tenant: str
    version: int | None
    as_of: str | None
    data: dict[str, Any]
    manifest: dict[str, Any] = field(default_factory=dict)
    # Values derived from this set (page data, sort orders), computed once per version: a set
    # never changes after loading, and recomputing per request costs ~1 s at 50k findings.
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def cached(self, key: str, compute: Callable[[], T]) -> T:
        """`compute()` once per set (a race computes twice; both results are equal)."""
        try:
            return self.memo[key]  # type: ignore[no-any-return]
        except KeyError:
            value = self.memo[key] = compute()
            return value

    def get(self, name: str) -> Any:
        """A data file's parsed content, or the empty value of its type when absent."""
        value = self.data.get(name)
        if value is None:
            return DATA_FILES.get(name, dict)()
        return value


@dataclass(frozen=True)
class View:
    """What a request sees: the last good set (or None) and the error of the newest attempt."""

    snapshot: Snapshot | None
    error: str | None


@dataclass
class _TenantState:
    stamp: tuple[int, int, int] | None = None
    good: Snapshot | None = None
    error: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


def _normalize_list(name: str, value: Any) -> Any:
    """Accept `{"items": [...]}` / `{"findings": [...]}` wrappers where a list is expected."""
    if DATA_FILES.get(name) is list and isinstance(value, dict):
        for key in ("items", "findings", "scans", "points", "trend", "data"):
            if isinstance(value.get(key), list):
                return value[key]
    return value


def load_set(directory: Path, tenant: str) -> Snapshot:
    """Read and check one snapshot set; raises SnapshotError saying which file is wrong."""
    manifest_path = directory / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_bytes())
    except FileNotFoundError as exc:
        raise SnapshotError(f"no snapshot yet for tenant {tenant!r}") from exc
    except (OSError, ValueError) as exc:
        raise SnapshotError(f"manifest.json unreadable: {exc}") from exc
    if not isinstance(manifest, dict):
        raise SnapshotError("manifest.json is not a JSON object")
    owner = manifest.get("tenant_id")
    if owner is not None and owner != tenant:
        raise SnapshotError(f"manifest.json belongs to tenant {owner!r}, not {tenant!r}")
    listed = manifest.get("files") or {}
    if not isinstance(listed, dict):
        raise SnapshotError("manifest.json 'files' is not an object")
    data: dict[str, Any] = {}
    names = sorted(set(listed) | set(DATA_FILES))
    for name in names:
        if "/" in name or "\\" in name or name.startswith("."):
            raise SnapshotError(f"manifest.json names an unsafe file {name!r}")
        path = directory / name
        if name not in listed and not path.exists():
            continue
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise SnapshotError(f"{name}: listed in manifest but unreadable: {exc}") from exc
        expected = listed.get(name)
        if isinstance(expected, str) and expected:
            actual = hashlib.sha256(raw).hexdigest()
            if actual != expected.lower().removeprefix("sha256:"):
                raise SnapshotError(f"{name}: sha256 {actual[:12]}… does not match the manifest")
        try:
            value = _normalize_list(name, json.loads(raw))
        except ValueError as exc:
            raise SnapshotError(f"{name}: invalid JSON: {exc}") from exc
        want = DATA_FILES.get(name)
        if want is not None and not isinstance(value, want):
            raise SnapshotError(f"{name}: expected a JSON {want.__name__}")
        data[name] = value
    version = manifest.get("version")
    return Snapshot(
        tenant=tenant,
        version=version if isinstance(version, int) else None,
        as_of=str(manifest["as_of"]) if manifest.get("as_of") is not None else None,
        data=data,
        manifest=manifest,
    )


class SnapshotStore:
    """Per-tenant cache of the last good snapshot set, reloaded when the manifest changes."""

    def __init__(self, data_dir: Path | str) -> None:
        self.root = Path(data_dir) / "snapshots"
        self._states: dict[str, _TenantState] = {}
        self._guard = threading.Lock()

    def tenant_dir(self, tenant: str) -> Path:
        if not valid_tenant(tenant):
            raise SnapshotError(f"invalid tenant name {tenant!r}")
        return self.root / tenant

    def tenants_on_disk(self) -> list[str]:
        """Tenants that have a snapshot directory (used by the file watcher)."""
        try:
            return sorted(p.name for p in self.root.iterdir() if p.is_dir() and valid_tenant(p.name))
        except FileNotFoundError:
            return []

    def _state(self, tenant: str) -> _TenantState:
        with self._guard:
            return self._states.setdefault(tenant, _TenantState())

    def stamp(self, tenant: str) -> tuple[int, int, int] | None:
        """A cheap change detector for a tenant's manifest (mtime, size, inode)."""
        try:
            st = os.stat(self.tenant_dir(tenant) / "manifest.json")
        except (FileNotFoundError, SnapshotError):
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def view(self, tenant: str) -> View:
        """The tenant's current view; reloads from disk only when the manifest changed."""
        directory = self.tenant_dir(tenant)
        state = self._state(tenant)
        with state.lock:
            stamp = self.stamp(tenant)
            if stamp is None:
                if state.good is None:
                    state.error = None
                return View(state.good, state.error)
            for _attempt in range(3):
                if stamp is None or stamp == state.stamp:
                    break
                state.stamp = stamp
                try:
                    snap = load_set(directory, tenant)
                except SnapshotError as exc:
                    # The writer may have replaced files under us; a new manifest means retry.
                    stamp = self.stamp(tenant)
                    if stamp != state.stamp:
                        continue
                    state.error = str(exc)
                    log.warning(
                        "snapshot rejected, serving last good set",
                        extra={"tenant": tenant, "error": str(exc),
                               "last_good_version": getattr(state.good, "version", None)},
                    )
                else:
                    state.good, state.error = snap, None
                    log.info("snapshot loaded",
                             extra={"tenant": tenant, "version": snap.version, "as_of": snap.as_of})
            return View(state.good, state.error)
