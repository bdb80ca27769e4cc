"""What to do about a finding, and the CLI, from its check's metadata.

The web layer reads snapshots only and may not import the checks, so `finops web` builds the
catalog from the check metadata (checks.docs.remediation_catalog) and hands it to the app as
`REMEDIATION` ({check_id: {title, remediation, remediation_cli}}). Outside an app, or for a
check the catalog does not know (a newer scanner), a finding simply has no remediation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app, has_app_context

EMPTY: dict[str, str | None] = {"remediation": None, "remediation_cli": None}


def for_check(check_id: Any) -> dict[str, str | None]:
    """{remediation, remediation_cli} of a check id (None values when unknown)."""
    if not has_app_context():
        return dict(EMPTY)
    catalog = current_app.config.get("REMEDIATION") or {}
    entry = catalog.get(str(check_id)) if isinstance(catalog, Mapping) else None
    if not isinstance(entry, Mapping):
        return dict(EMPTY)
    return {k: (str(entry[k]) if entry.get(k) else None) for k in EMPTY}
