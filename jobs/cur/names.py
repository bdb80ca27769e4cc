"""Column-name and tag-key normal forms shared by every variant.

AWS's own Athena/Glue integration turns a legacy CUR header such as `lineItem/UnblendedCost` into
`line_item_unblended_cost` by putting `_` before every capital (hence `reservation_a_r_n`) and
replacing anything not alphanumeric. Applying the same rule to CSV headers makes a legacy CSV and a
legacy Parquet (Athena CTAS) one variant. Tag keys get the same rule minus the `user:` prefix, so
`resourceTags/user:CostCenter`, `resource_tags_user_cost_center` and a CUR 2.0 map key
`user_cost_center` all become `cost_center`. TAG_KEY_SQL is the DuckDB twin of `tag_key`, used on map
keys that are only known at query time; a test keeps the two in agreement.
"""

from __future__ import annotations

import re

_UPPER = re.compile(r"([A-Z])")
_NON_ALNUM = re.compile(r"[^A-Za-z0-9]+")
_USER_PREFIX = re.compile(r"^user[:_]")


def cur_snake(name: str) -> str:
    """`lineItem/UnblendedCost` -> `line_item_unblended_cost` (idempotent on snake names)."""
    text = _UPPER.sub(r"_\1", name.strip())
    return _NON_ALNUM.sub("_", text).strip("_").lower()


def tag_key(key: str) -> str:
    """Normal form of a tag key from any variant (see module docstring)."""
    text = _USER_PREFIX.sub("", key.strip())
    text = _UPPER.sub(r"_\1", text)
    return _NON_ALNUM.sub("_", text).strip("_").lower()


def tag_key_sql(expr: str) -> str:
    """SQL expression computing `tag_key` of a VARCHAR expression."""
    step1 = f"regexp_replace(trim({expr}), '^user[:_]', '')"
    step2 = f"regexp_replace({step1}, '([A-Z])', '_\\1', 'g')"
    step3 = f"regexp_replace({step2}, '[^A-Za-z0-9]+', '_', 'g')"
    return f"lower(trim({step3}, '_'))"


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
