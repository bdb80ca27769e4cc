"""Resource costs apart from scope costs, in the findings document.

The enrichment falls back to a scope roll-up (the whole account + region + service) when the
bill does not name the finding's resource. That figure is context, not the resource's bill: it is
the same on every finding of the scope (the demo showed $793.42 beside savings of ~$23 on 130
findings). So the document never puts it in a resource's `actual_cost_*`: those stay NULL
("not attributed") and the roll-up moves to `scope_cost_*`, labelled by `cost_scope`.
"""

from __future__ import annotations

WINDOWS = ("7d", "30d", "mtd", "prev_month")
_SCOPED = "attribution_method = 'scoped_rollup'"


def split_sql(source: str) -> str:
    """SELECT over `source` (enriched findings) with scope roll-ups moved out of actual_cost_*."""
    replace = ", ".join(
        f"CASE WHEN {_SCOPED} THEN NULL ELSE actual_cost_{w} END AS actual_cost_{w}"
        for w in WINDOWS)
    scope = ", ".join(
        f"CASE WHEN {_SCOPED} THEN actual_cost_{w} END AS scope_cost_{w}" for w in WINDOWS)
    label = (f"CASE WHEN {_SCOPED} THEN 'account ' || account_id || ' / ' || region || ' / '"
             f" || service END AS cost_scope")
    return f"SELECT * REPLACE ({replace}), {scope}, {label} FROM {source}"
