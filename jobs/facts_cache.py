"""Results derived from the cost facts alone, computed once per state of the facts files.

The bill changes daily; findings land every few seconds. A window rebuilds each touched tenant,
and every rebuild re-read the whole bill (10M lines: the rates, the actual-cost roll-ups, the
billed span) although only the findings had changed. These results are functions of the facts
files' bytes, so they are kept under the files' (path, size, mtime_ns) signature, the same
identity the window uses to tell a rewritten input file apart (jobs/inputs.py): any change of the
facts misses the cache, and the result equals a fresh computation. Values must be immutable
(Arrow tables, tuples, plain scalars); a computation that raises is not kept.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

from jobs.cur.enrich import parquet_files

T = TypeVar("T")
_MAX_ENTRIES = 32
_cache: OrderedDict[tuple[Hashable, ...], Any] = OrderedDict()


def signature(facts_dir: Path | str | None) -> tuple[tuple[str, int, int], ...]:
    """(path, size, mtime_ns) of every facts file, sorted."""
    out = []
    for path in parquet_files(facts_dir):
        st = os.stat(path)
        out.append((path, st.st_size, st.st_mtime_ns))
    return tuple(out)


def cached(name: str, facts_dir: Path | str | None, compute: Callable[[], T],
           *key: Hashable) -> T:
    """`compute()` for this state of `facts_dir`, computed at most once while it holds."""
    full = (name, str(facts_dir), signature(facts_dir), *key)
    if full in _cache:
        _cache.move_to_end(full)
        return _cache[full]  # type: ignore[no-any-return]
    value = compute()
    _cache[full] = value
    while len(_cache) > _MAX_ENTRIES:
        _cache.popitem(last=False)
    return value


def clear() -> None:
    _cache.clear()
