"""`docs/checks.md` is generated from the checks' metadata (`finops checks docs`), and a test
keeps the file equal to the generated text, so the documentation cannot drift from the code."""

from __future__ import annotations

import re
from collections.abc import Mapping

from checks.model import Check, CheckMeta
from checks.prices.catalog import PriceCatalog
from checks.prices.coverage import regions_priced

HEADER = """# Checks

Generated from each check's `metadata.json` by `finops checks docs > docs/checks.md`; do not
edit by hand. Thresholds are defaults; a tenant overrides them in its config file
(`checks: {<check id>: {<threshold>: value}}`, validated at start-up). Prices come from
`checks/prices/catalog.built.json` (AWS list prices for 32 regions, `finops prices build`, see
docs/prices.md) over the transcribed `checks/prices/catalog.json`; a missing price yields savings *unknown* with confidence <= 0.3, except when only added terms lack a price: then the priced part is a lower bound (`details.savings_bound` = `lower`, the keys in `missing_prices`). Findings that are alternatives for
one resource (delete vs rightsize vs change type) share an `alternative_group`
(`<resource-arn>#disposition`), so totals count one of them.

The scanner's least-privilege IAM policy: `finops iam-policy`.

## How a check is built

- `checks/<service>/<check_id>/metadata.json`: id, title, severity, resource type (CloudFormation
  name, see `contracts/arn.py`), savings category, default thresholds, IAM permissions,
  price keys, remediation text and CLI, description ending in the savings formula.
- `price_keys`: every catalog key the savings read, in the catalog's `service:what:unit` form,
  `{name}` standing for one varying part (`ec2:{instance_type}:linux:hour`); a check priced by
  AWS's own estimate (Cost Optimization Hub, Compute Optimizer: their estimated savings after
  discounts) reads no price and says `"price_keys": "aws-advice"` instead. `price_gaps` maps a
  declared key the price data has in no region to why (its findings say *unknown* or a lower
  bound); keys priced in only some regions are listed once, with the reason, in
  `checks/prices/coverage.py`. Tests hold all of it true: each key is priced in every shipped
  region unless stated (tests/checks/prices/test_price_keys.py), and every key a check looks up
  in its unit tests or on the estate scan is one it declares (tests/checks/conftest.py,
  tests/producers/test_scanner.py). The table's last column: the keys, with the number of the
  32 shipped regions that price each when not all of them.
- `checks/<service>/<check_id>/check.py`: one class named after the id in CamelCase with
  `meta = load_meta(__file__)`, `collect(ctx)` (typed models from `checks/services/*`, cached per
  scan, AWS errors raised as `CollectionFailed` and recorded by the runner) and
  `evaluate(models, cfg, ctx)`, a pure function that yields `self.finding(...)` with an
  `Estimate` from `checks.pricing.estimate` (prices from the catalog, formula with the numbers).
- `tests/checks/<service>/test_<check_id>.py`: at least a positive and a negative case; the
  registry meta-test (`tests/checks/test_registry.py`) fails otherwise. Regenerate this page.
- Checks of a common shape subclass its base and write only what differs:
  `checks.modernize.FamilySwitchCheck` (previous generation / Graviton: a family map and
  `candidates`; the target is the smallest size of the mapped family with the vCPUs and memory),
  `checks.idle.IdleByMetricCheck` (idle by a CloudWatch metric over `lookback_days`:
  namespace, metric or metrics (summed per day), dimension or `dimension_sets` (CloudWatch matches
  whole dimension sets), `silent_is_idle` for metrics published only on activity, `resources`,
  `judged`, `idle`, which states title, price terms and details through `idle_finding`) and
  `checks.aged.OldByAgeCheck` (older than a threshold's days: `threshold`, `candidates`, `since`,
  `old`).

The runner (`checks.runner.run_checks(ctx, ids)`) validates the tenant config, runs each check,
and returns findings, per-check counts, resources seen and every collection error.

## Checks

| Check | Resource | What | Thresholds (default) | Savings formula | Price keys |
|---|---|---|---|---|---|
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


def _keys(meta: CheckMeta, catalog: PriceCatalog) -> str:
    if meta.aws_advice:
        return "AWS's estimate (no price)"
    shipped = len(catalog.regions)
    out = []
    for key in meta.price_keys:
        n = len(regions_priced(catalog, key))
        out.append(f"`{key}`" + ("" if n == shipped else f" ({n}/{shipped})"))
    return ", ".join(out)


def render(checks: Mapping[str, Check], catalog: PriceCatalog | None = None) -> str:
    catalog = catalog or PriceCatalog.load()
    rows = []
    for check_id, check in sorted(checks.items()):
        m = check.meta
        thresholds = ", ".join(f"`{k}`={v}" for k, v in sorted(m.thresholds.items())) or "-"
        rows.append(
            f"| `{check_id}` ({m.severity}) | `{m.resource_type}` | **{_cell(m.title)}.** "
            f"{_what(m.description)} | {thresholds} | {_formula(m.description)} | "
            f"{_keys(m, catalog)} |"
        )
    return HEADER + "\n".join(rows) + "\n"


def remediation_catalog(checks: Mapping[str, Check]) -> dict[str, dict[str, str]]:
    """What to do and the CLI per check id, from each check's metadata: `finops web` hands it
    to the dashboard (the web layer reads snapshots only and may not import the checks)."""
    return {check_id: {"title": c.meta.title, "remediation": c.meta.remediation,
                       "remediation_cli": c.meta.remediation_cli}
            for check_id, c in sorted(checks.items())}
