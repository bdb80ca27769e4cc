"""`docs/checks.md` is generated from the checks' metadata (`finops checks docs`), and a test
keeps the file equal to the generated text, so the documentation cannot drift from the code."""

from __future__ import annotations

import re
from collections.abc import Mapping

from checks.model import Check

HEADER = """# Checks

Generated from each check's `metadata.json` by `finops checks docs > docs/checks.md`; do not
edit by hand. Thresholds are defaults; a tenant overrides them in its config file
(`checks: {<check id>: {<threshold>: value}}`, validated at start-up). Prices come from
`checks/prices/catalog.json` (AWS Price List, refreshable with `finops prices refresh`); a
missing price yields savings *unknown* with confidence <= 0.3. Findings that are alternatives for
one resource (delete vs rightsize vs change type) share an `alternative_group`
(`<resource-arn>#disposition`), so totals count one of them.

The scanner's least-privilege IAM policy: `finops iam-policy`.

| Check | Resource | What | Thresholds (default) | Savings formula |
|---|---|---|---|---|
"""

_SAVINGS = re.compile(r"(Savings[^.]*(?:\.\d[^.]*)*\.?.*)$", re.S)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _formula(description: str) -> str:
    match = _SAVINGS.search(description)
    return _cell(match.group(1)) if match else ""


def _what(description: str) -> str:
    match = _SAVINGS.search(description)
    return _cell(description[: match.start()] if match else description)


def render(checks: Mapping[str, Check]) -> str:
    rows = []
    for check_id, check in sorted(checks.items()):
        m = check.meta
        thresholds = ", ".join(f"`{k}`={v}" for k, v in sorted(m.thresholds.items())) or "-"
        rows.append(
            f"| `{check_id}` ({m.severity}) | `{m.resource_type}` | **{_cell(m.title)}.** "
            f"{_what(m.description)} | {thresholds} | {_formula(m.description)} |"
        )
    return HEADER + "\n".join(rows) + "\n"
