"""Deterministic, durable Parquet files.

Same table in, same bytes out: explicit schema, pinned compression and level, fixed row-group size,
no writer timestamps. Durable: written to a hidden temporary name in the same directory, fsynced,
renamed over the final name, and the directory fsynced, so a reader (or a crash) only ever sees a
whole file, and a retry overwrites instead of duplicating.

Several workers may share one output directory (replicas on one volume): each temporary name carries
this process's writer token (host, pid, random), so no two writers ever share a temporary file, and
`remove_abandoned_temporaries` deletes only a partition's temporaries that predate its caller's
ownership of that partition, never a live peer's.
"""

from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROW_GROUP_SIZE = 8192
COMPRESSION = "zstd"
COMPRESSION_LEVEL = 1  # measured: 22 % faster than 3 and no larger on findings
TMP_PREFIX = "."
TMP_SUFFIX = ".tmp"

_token: tuple[int, str] | None = None


def writer_token() -> str:
    """Unique to this process (recomputed after a fork): host, pid and a random part, since two
    containers on one volume may both run as pid 1."""
    global _token
    pid = os.getpid()
    if _token is None or _token[0] != pid:
        host = "".join(c if c.isalnum() or c == "-" else "-" for c in socket.gethostname())[:32]
        _token = (pid, f"{host}-{pid}-{uuid.uuid4().hex[:8]}")
    return _token[1]


def temporary_path(path: Path) -> Path:
    return path.with_name(f"{TMP_PREFIX}{path.name}.{writer_token()}{TMP_SUFFIX}")


def write_parquet(table: pa.Table, path: Path, *, row_group_size: int = ROW_GROUP_SIZE) -> int:
    """Write `table` to `path` atomically; returns the file size. On any failure the temporary is
    removed and the error raised: `path` is then untouched (old content or absent)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_path(path)
    try:
        _write_then_rename(table, tmp, path, row_group_size)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path.stat().st_size


def _write_then_rename(table: pa.Table, tmp: Path, path: Path, row_group_size: int) -> None:
    with open(tmp, "wb") as fh:
        pq.write_table(
            table,
            fh,
            row_group_size=row_group_size,
            compression=COMPRESSION,
            compression_level=COMPRESSION_LEVEL,
            use_dictionary=True,
            write_statistics=True,
            version="2.6",
            data_page_version="1.0",
            store_schema=True,
        )
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_durably(path: Path) -> None:
    """Delete a stored file for good: a crash after the call cannot bring it back (its rows would
    be stored twice beside the files that superseded it)."""
    path.unlink(missing_ok=True)
    _fsync_dir(path.parent)


def remove_abandoned_temporaries(root: Path, topic: str, partition: int, *, older_than: float) -> list[Path]:
    """Delete the temporaries of `topic`[`partition`] last modified before `older_than` (epoch
    seconds: when the caller took the partition over) by another writer: a killed or revoked
    previous owner's. Only the partition's owner writes its files, so a live peer (which owns other
    partitions) is never touched, and neither is a file still being written after `older_than`.
    Returns what was removed."""
    removed: list[Path] = []
    own = f".{writer_token()}{TMP_SUFFIX}"
    for tmp in sorted(root.glob(f"*/*/{TMP_PREFIX}{topic}+{partition}+*{TMP_SUFFIX}")):
        if tmp.name.endswith(own):
            continue
        try:
            if tmp.stat().st_mtime >= older_than:
                continue
            tmp.unlink()
        except FileNotFoundError:  # its writer renamed or removed it meanwhile
            continue
        removed.append(tmp)
    return removed
