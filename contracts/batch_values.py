"""Per-distinct-value reference logic and the resource ARN column for `contracts.batch`.

The `*_fn` functions take one distinct wire value and return its canonical form, whether the
column path may accept it, and what else the batch needs from it. They use the same expressions
and the same compiled regexes as `contracts.canonical` / `contracts.validate` (ASCII-only folding,
`contracts.text`), so the two paths agree exactly; they run once per distinct value, not once per
record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from contracts.arn import ARN_FORMS, canonical_arn, canonical_resource_type, partition_for
from contracts.batch_columns import Rows, trim
from contracts.canonical import SEVERITY_ALIASES
from contracts.text import ascii_lower, ascii_upper, id_text
from contracts.validate import _ACCOUNT, _CURRENCY, _REGION, _SLUG

_S, _B = pa.string(), pa.bool_()
SLUG = (_S, _B)
REGION = (_S, _B, _S)
ACCOUNT = (_S, _B)
CURRENCY = (_S, _B)
RESOURCE_TYPE = (_S, _B, _S, _B, _B, _S, _B)


def slug_fn(value: str) -> tuple[str, bool]:
    canon = ascii_lower(id_text(value))
    return canon, bool(_SLUG.match(canon))


def enum_fn(name: str, allowed: tuple[str, ...]) -> Callable[[str], tuple[str, bool]]:
    def fn(value: str) -> tuple[str, bool]:
        canon = ascii_lower(id_text(value))
        if name == "severity":
            canon = SEVERITY_ALIASES.get(canon, canon)
        return canon, canon in allowed

    return fn


def region_fn(value: str) -> tuple[str, bool, str]:
    canon = ascii_lower(id_text(value))
    return canon, bool(_REGION.match(canon)), partition_for(canon)


def account_fn(value: str) -> tuple[str, bool]:
    canon = id_text(value).replace("-", "")
    return canon, bool(canon) and bool(_ACCOUNT.match(canon))


def currency_fn(value: str) -> tuple[str, bool]:
    canon = ascii_upper(id_text(value)) if id_text(value) else "USD"
    return canon, bool(_CURRENCY.match(canon))


def resource_type_fn(value: str) -> tuple[Any, ...]:
    """Canonical type, accepted, and its ARN pieces: service, regional, has account, the
    resource-part prefix before the id, lower-case id. Only templates ending in the one `{id}`
    are built by kernels; any other template would go to the reference."""
    canon = canonical_resource_type(value)
    form = ARN_FORMS.get(canon)
    if form is None or not form.template.endswith("{id}") or form.template.count("{") != 1:
        return canon, False, None, None, None, None, None
    return (
        canon,
        True,
        form.service,
        form.regional,
        form.has_account,
        form.template[:-4],
        form.lower_id,
    )


def resource_ids(
    rows: Rows, raw: pa.Array, rtype: list[pa.Array], out: dict[str, pa.Array], partition: pa.Array
) -> pa.Array:
    """`canonical_arn` for the column: kernels for ASCII bare ids (the common case), the
    reference function per row for ARNs and non-ASCII ids (Python's Unicode `lower`)."""
    canon_type, _, service, regional, has_account, prefix, lower_id = rtype
    rid = trim(raw)
    arnlike = pc.fill_null(
        pc.or_(pc.invert(pc.string_is_ascii(rid)), pc.starts_with(rid, "arn:", ignore_case=True)),
        False,
    )
    rid = pc.if_else(pc.fill_null(lower_id, False), pc.ascii_lower(rid), rid)
    region_part = pc.if_else(regional, out["region"], "")
    account_part = pc.if_else(has_account, out["account_id"], "")
    tail = pc.binary_join_element_wise(prefix, rid, "")
    arn = pc.binary_join_element_wise(
        "arn", partition, service, region_part, account_part, tail, ":"
    )
    if not arnlike.true_count:
        return arn
    idx = pc.indices_nonzero(arnlike)
    values: list[str | None] = []
    for i, rtype_, rid_, account, region in zip(
        idx.to_pylist(),
        canon_type.take(idx).to_pylist(),
        raw.take(idx).to_pylist(),
        out["account_id"].take(idx).to_pylist(),
        out["region"].take(idx).to_pylist(),
        strict=True,
    ):
        if rtype_ is None or rid_ is None:
            rows.slow.add(i)
            values.append(None)
            continue
        value = canonical_arn(rtype_, rid_, account or "", region or "")
        if not value.startswith("arn:"):
            rows.slow.add(i)
        values.append(value)
    return pc.replace_with_mask(arn, arnlike, pa.array(values, pa.string()))
