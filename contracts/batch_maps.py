"""Nested wire fields for `contracts.batch`: tags, details and source fingerprints.

Maps are flattened once (keys, values, offsets) so that trimming, the empty-key check, the
per-row key sort and the details JSON run as Arrow kernels over all entries of the batch. Arrow
sorts strings by their UTF-8 bytes, which is code point order, i.e. Python's `sorted` order. Rows
the kernels cannot do exactly (duplicate keys after trimming, characters JSON escapes, non-string
entries) are done per row with the reference code, or handed to the reference `to_row`.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from contracts.batch_columns import Rows, has_control, odd_rows, trim
from contracts.canonical import canonical_details, details_json
from contracts.schema import FINDING_SCHEMA
from contracts.validate import _HEX64

TAGS_TYPE = FINDING_SCHEMA.field("tags").type
SOURCES_TYPE = FINDING_SCHEMA.field("source_fingerprints").type
_PLAIN_MAP = pa.map_(pa.string(), pa.string())
_JSON_ESCAPED = r'[\x00-\x1f"\\]'  # what json.dumps(ensure_ascii=False) rewrites in a string


def _flatten(rows: Rows, col: Sequence[Any]) -> tuple[pa.Array, pa.Array, pa.Array, pa.Array]:
    """Offsets, parent row per entry, keys, values of a column of str->str dicts.

    Arrow converts the dicts in one C++ pass, but it would also take bytes for strings, so the
    exact types are checked first (the reference would `str()` bytes: a different value)."""
    odd = odd_rows(col, (dict,))
    if odd:
        rows.slow.update(odd)
        col = [v if type(v) is dict else {} for v in col]
    kinds = set(map(type, chain.from_iterable(col)))
    kinds |= set(map(type, chain.from_iterable(map(dict.values, col))))
    if kinds - {str}:
        bad = {
            i
            for i, d in enumerate(col)
            if any(type(k) is not str or type(v) is not str for k, v in d.items())
        }
        rows.slow.update(bad)
        col = [{} if i in bad else d for i, d in enumerate(col)]
    entries = pa.array(col, _PLAIN_MAP)
    offsets = entries.offsets
    parent = pc.list_parent_indices(pa.ListArray.from_arrays(offsets, entries.keys))
    return offsets, parent, entries.keys, entries.items


def _rows_where(rows: Rows, parent: pa.Array, mask: pa.Array) -> None:
    """Send the rows owning an entry flagged in `mask` to the reference."""
    if mask.true_count:
        rows.slow.update(parent.filter(mask).to_pylist())


def _sort_entries(
    rows: Rows, parent: pa.Array, keys: pa.Array, values: pa.Array
) -> tuple[pa.Array, pa.Array]:
    """Entries sorted by key within each row; rows with a repeated key go to the reference."""
    order = pc.sort_indices(
        pa.table({"p": parent, "k": keys}), sort_keys=[("p", "ascending"), ("k", "ascending")]
    )
    keys, values, parent = keys.take(order), values.take(order), parent.take(order)
    if len(keys) > 1:
        repeated = pc.and_(
            pc.equal(keys.slice(1), keys.slice(0, len(keys) - 1)),
            pc.equal(parent.slice(1), parent.slice(0, len(parent) - 1)),
        )
        _rows_where(rows, parent.slice(1), repeated)
    return keys, values


def tags_column(rows: Rows, col: Sequence[Any]) -> pa.Array:
    """Keys and values trimmed, keys non-empty and sorted: map<string, string> (keys_sorted)."""
    offsets, parent, keys, values = _flatten(rows, col)
    keys, values = trim(keys), trim(values)
    _rows_where(rows, parent, pc.equal(keys, ""))
    _rows_where(rows, parent, pc.or_(has_control(keys), has_control(values)))
    keys, values = _sort_entries(rows, parent, keys, values)
    return pa.MapArray.from_arrays(offsets, keys, values, type=TAGS_TYPE)


def details_column(rows: Rows, col: Sequence[Any]) -> pa.Array:
    """`details_json(canonical_details(d))`: compact JSON with sorted keys, built by kernels."""
    offsets, parent, keys, values = _flatten(rows, col)
    _rows_where(rows, parent, pc.equal(keys, ""))
    _rows_where(rows, parent, pc.or_(has_control(keys), has_control(values)))
    escaped = pc.or_(
        pc.match_substring_regex(keys, _JSON_ESCAPED),
        pc.match_substring_regex(values, _JSON_ESCAPED),
    )
    keys, values = _sort_entries(rows, parent, keys, values)
    entries = pc.binary_join_element_wise('"', keys, '":"', values, '"', "")
    body = pc.binary_join(pa.ListArray.from_arrays(offsets, entries), ",")
    out = pc.binary_join_element_wise("{", body, "}", "")
    if not escaped.true_count:
        return out
    redo = sorted(set(parent.filter(escaped).to_pylist()))
    texts = [details_json(canonical_details(col[i])) for i in redo]
    return pc.replace_with_mask(out, _index_mask(len(col), redo), pa.array(texts, pa.string()))


def _index_mask(n: int, indices: list[int]) -> pa.Array:
    flags = [False] * n
    for i in indices:
        flags[i] = True
    return pa.array(flags, pa.bool_())


def sources_column(rows: Rows, col: Sequence[Any]) -> tuple[pa.Array, pa.Array]:
    """Sorted distinct lower-case source fingerprints, and their ","-join for the fingerprint
    (null when there are none, so that the identity join skips it)."""
    odd = odd_rows(col, (list,))
    if odd:
        rows.slow.update(odd)
        col = [v if type(v) is list else [] for v in col]
    if not any(col):
        empty = pa.ListArray.from_arrays(
            pa.array([0] * (len(col) + 1), pa.int32()), pa.array([], pa.string())
        )
        return empty.cast(SOURCES_TYPE), pa.nulls(len(col), pa.string())
    lists: list[list[str]] = []
    joined: list[str | None] = []
    for i, fps in enumerate(col):
        canon: list[str] = []
        if fps:
            try:
                canon = sorted({str(f).strip().lower() for f in fps})
            except Exception:  # noqa: BLE001 - whatever str() raises, the reference decides
                rows.slow.add(i)
                canon = []
            if any(not _HEX64.match(s) for s in canon):
                rows.slow.add(i)
        lists.append(canon)
        joined.append(",".join(canon) if canon else None)
    return pa.array(lists, SOURCES_TYPE), pa.array(joined, pa.string())
