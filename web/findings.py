"""Reading findings defensively, and the findings table's filter / search / sort / page.

The snapshot format may move a bit, so every accessor here tolerates a missing field, a
number carried as a string (decimals are serialized as strings to stay exact), tags as a map
or as a list of pairs, and `details` as a JSON string or an object. One tenant's findings
are also filtered by `tenant_id` as a second line of defence behind the per-tenant directory.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from web import remediation

SEVERITY_ORDER = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
COST_FIELDS = ("actual_cost_7d", "actual_cost_30d", "actual_cost_mtd", "actual_cost_prev_month")
# a scope roll-up (account + region + service total), never shown as the resource's own cost
SCOPE_COST_FIELDS = ("scope_cost_7d", "scope_cost_30d", "scope_cost_mtd", "scope_cost_prev_month")
FILTER_FIELDS = {
    "status": "status",
    "severity": "severity",
    "service": "service",
    "region": "region",
    "account": "account_id",
    "check": "check_id",
    "lifecycle": "lifecycle_state",
    "state": "count_state",  # counted / superseded / suppressed / resolved (jobs.counting)
}
SORT_FIELDS = (
    "estimated_monthly_savings", "severity", "service", "region", "account_id", "check_id",
    "status", "title", "resource_id", "first_seen", "last_seen", "actual_cost_30d",
    "lifecycle_state",
)
CSV_COLUMNS = (
    "finding_id", "tenant_id", "account_id", "region", "service", "check_id", "resource_type",
    "resource_id", "resource_name", "title", "severity", "status", "lifecycle_state",
    "suppressed", "counted", "superseded", "count_state", "superseded_by",
    "estimated_monthly_savings", "savings_bound", "unpriced_reason", "missing_prices", "currency", *COST_FIELDS, "actual_currency",
    "attribution_method", *SCOPE_COST_FIELDS, "cost_scope", "first_seen", "last_seen", "tags",
    "remediation", "remediation_cli",
)
MAX_PER_PAGE = 500
# what the list can be grouped by (besides `tag:<key>`): group name -> finding field
GROUP_FIELDS = {"check": "check_id", "account": "account_id", "region": "region",
                "service": "service"}
UNTAGGED = "(untagged)"
COUNT_STATES = ("counted", "superseded", "suppressed", "resolved")  # as jobs.counting


def money(value: Any) -> Decimal | None:
    """A money amount as Decimal, None when absent or not a number (never a silent zero)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() else None


def tags_of(finding: Mapping[str, Any]) -> dict[str, str]:
    """Tags as a plain str->str dict, whatever shape the writer used."""
    raw = finding.get("tags")
    out: dict[str, str] = {}
    if isinstance(raw, Mapping):
        items: Iterable[Any] = raw.items()
    elif isinstance(raw, list):
        items = raw
    else:
        return out
    for item in items:
        if isinstance(item, Mapping):
            key, value = item.get("key"), item.get("value")
        elif isinstance(item, (list, tuple)) and len(item) == 2:
            key, value = item
        else:
            continue
        if key is not None:
            out[str(key)] = "" if value is None else str(value)
    return out


def details_of(finding: Mapping[str, Any]) -> dict[str, Any]:
    """`details` parsed to an object; a non-JSON string is kept under `raw`. The wire carries
    details as a string map, nested values (prices, price sources, thresholds) as compact JSON
    text: those are parsed too, so a page shows them as tables, not as JSON strings."""
    raw = finding.get("details")
    if isinstance(raw, Mapping):
        return {str(k): _nested(v) for k, v in raw.items()}
    if isinstance(raw, str) and raw.strip():
        try:
            value = json.loads(raw)
        except ValueError:
            return {"raw": raw}
        if isinstance(value, dict):
            return {str(k): _nested(v) for k, v in value.items()}
        return {"value": value}
    return {}


def _nested(value: Any) -> Any:
    """A JSON object or array carried as text, parsed; anything else as it is."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def is_suppressed(finding: Mapping[str, Any]) -> bool:
    return bool(finding.get("suppressed")) or finding.get("status") == "suppressed"


def is_open(finding: Mapping[str, Any]) -> bool:
    """Counts toward totals: the writer's `counted` flag (jobs.counting: active, not
    suppressed, not superseded by a correlation rule). A row without the flag (an older
    snapshot format) counts when it is neither resolved nor suppressed."""
    if isinstance(finding.get("counted"), bool):
        return bool(finding["counted"])
    resolved = finding.get("lifecycle_state") == "resolved" or finding.get("status") == "resolved"
    return not resolved and not is_suppressed(finding)


def count_state(finding: Mapping[str, Any]) -> str:
    """Why a finding does or does not count: the writer's `count_state`, else derived."""
    given = finding.get("count_state")
    if isinstance(given, str) and given:
        return given
    if is_open(finding):
        return "counted"
    if finding.get("lifecycle_state") == "resolved" or finding.get("status") == "resolved":
        return "resolved"
    return "suppressed" if is_suppressed(finding) else "superseded"


UNPRICED_REASONS = ("price missing from the catalog", "usage metric missing", "not estimated")


def unpriced_reason(finding: Mapping[str, Any]) -> str | None:
    """Why a finding has no savings estimate (None when it has one): the writer's reason, else
    "not estimated"."""
    if money(finding.get("estimated_monthly_savings")) is not None:
        return None
    given = finding.get("unpriced_reason")
    return str(given) if given else "not estimated"


def is_lower_bound(finding: Mapping[str, Any]) -> bool:
    """The estimate is the priced part only: the unpriced terms would add more."""
    return finding.get("savings_bound") == "lower" and \
        money(finding.get("estimated_monthly_savings")) is not None


def for_tenant(findings: Iterable[Any], tenant: str) -> list[dict[str, Any]]:
    """Only the tenant's own findings (rows naming another tenant are dropped)."""
    return [
        f for f in findings
        if isinstance(f, dict) and f.get("tenant_id", tenant) == tenant
    ]


def public(finding: Mapping[str, Any]) -> dict[str, Any]:
    """The finding as the API returns it: normalized tags and parsed details added."""
    out = dict(finding)
    out["tags"] = tags_of(finding)
    out["details_parsed"] = details_of(finding)
    out["suppressed"] = is_suppressed(finding)
    out["counted"] = is_open(finding)
    out["count_state"] = count_state(finding)
    out["unpriced_reason"] = unpriced_reason(finding)
    out["lower_bound"] = is_lower_bound(finding)
    out.update(remediation.for_check(finding.get("check_id")))
    return out


def haystack(finding: Mapping[str, Any]) -> str:
    """The lower-cased text that free-text search looks in: names, ids and `key=value` tags."""
    text = " ".join(
        str(finding.get(k) or "")
        for k in ("title", "resource_id", "resource_name", "check_id", "finding_id",
                  "service", "region", "account_id")
    ) + " " + " ".join(f"{k}={v}" for k, v in tags_of(finding).items())
    return text.lower()


def haystacks(findings: Iterable[Mapping[str, Any]]) -> dict[int, str]:
    """Search text per finding, keyed by id(): valid while the set holding them lives."""
    return {id(f): haystack(f) for f in findings}


@dataclass(frozen=True)
class Query:
    """The findings table's request: filters, free-text search, sort and page."""

    filters: dict[str, set[str]]
    tags: list[tuple[str, str | None]]
    search: str
    sort: str
    descending: bool
    page: int
    per_page: int
    # only findings whose estimate is at least this (an unpriced one is left out: its saving
    # is unknown); None: no floor
    min_savings: Decimal | None = None
    group: str | None = None  # a GROUP_FIELDS name or `tag:<key>`

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> Query:
        """Build from request args (a MultiDict or dict); raises ValueError on bad input."""
        getlist = getattr(args, "getlist", None)

        def values(name: str) -> list[str]:
            got = getlist(name) if getlist else ([args[name]] if name in args else [])
            return [v for raw in got for v in str(raw).split(",") if v != ""]

        filters = {name: set(values(name)) for name in FILTER_FIELDS if values(name)}
        tags: list[tuple[str, str | None]] = []
        for raw in values("tag"):
            key, sep, value = raw.partition(":")
            if key:
                tags.append((key, value if sep else None))
        sort = str(args.get("sort") or "-estimated_monthly_savings")
        descending = sort.startswith("-")
        sort = sort.lstrip("-")
        if sort not in SORT_FIELDS:
            raise ValueError(f"cannot sort by {sort!r}; one of {', '.join(SORT_FIELDS)}")
        try:
            page = int(args.get("page") or 1)
            per_page = int(args.get("per_page") or 50)
        except ValueError as exc:
            raise ValueError(f"page and per_page must be integers: {exc}") from exc
        if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
            raise ValueError(f"page must be >= 1 and per_page within 1..{MAX_PER_PAGE}")
        return cls(filters, tags, str(args.get("q") or "").strip().lower(), sort, descending,
                   page, per_page, _min_savings(args.get("min_savings")),
                   _group(args.get("group")))

    def matches(self, finding: Mapping[str, Any],
                haystacks: Mapping[int, str] | None = None) -> bool:
        """Filters, tags and search; `haystacks` (id(finding) -> text) may be a cache."""
        for name, wanted in self.filters.items():
            value = count_state(finding) if name == "state" else finding.get(FILTER_FIELDS[name], "")
            if str(value) not in wanted:
                return False
        tags = tags_of(finding) if self.tags else {}
        for key, value in self.tags:
            if key not in tags or (value is not None and tags[key] != value):
                return False
        if self.min_savings is not None:
            amount = money(finding.get("estimated_monthly_savings"))
            if amount is None or amount < self.min_savings:
                return False
        if self.search:
            hay = haystacks.get(id(finding)) if haystacks is not None else None
            if self.search not in (hay if hay is not None else haystack(finding)):
                return False
        return True

    def sort_key(self, finding: Mapping[str, Any]) -> tuple[int, Any]:
        """Nulls sort last in either direction (the bool leads, values follow)."""
        value = finding.get(self.sort)
        if self.sort == "severity":
            value = SEVERITY_ORDER.get(str(value), None)
        elif self.sort in ("estimated_monthly_savings", "actual_cost_30d"):
            value = money(value)
        elif value is not None:
            value = str(value).lower()
        return (value is None, value)

    @property
    def order_key(self) -> str:
        return ("-" if self.descending else "") + self.sort

    def order(self, findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """All findings in this query's sort order, nulls last (cacheable per set and sort)."""
        keyed = [(self.sort_key(f), f) for f in findings]
        present = [(k[1], f) for k, f in keyed if not k[0]]
        present.sort(key=lambda kf: kf[0], reverse=self.descending)
        return [f for _k, f in present] + [f for k, f in keyed if k[0]]

    def select(self, findings: list[dict[str, Any]],
               ordered: list[dict[str, Any]] | None = None,
               haystacks: Mapping[int, str] | None = None) -> list[dict[str, Any]]:
        """Every matching finding in sort order (the CSV export takes all of them).

        `ordered` is `order(findings)` and `haystacks` is `haystacks(findings)` when the caller
        has them cached for the set; filtering keeps the order.
        """
        ordered = ordered if ordered is not None else self.order(findings)
        if not (self.filters or self.tags or self.search or self.min_savings is not None):
            return ordered
        return [f for f in ordered if self.matches(f, haystacks)]

    def page_of(self, ordered: list[dict[str, Any]]) -> dict[str, Any]:
        """One page of selected findings as the table's JSON (items are `public` findings)."""
        start = (self.page - 1) * self.per_page
        return {
            "total": len(ordered),
            "page": self.page,
            "per_page": self.per_page,
            "pages": max(1, -(-len(ordered) // self.per_page)),
            "sort": ("-" if self.descending else "") + self.sort,
            "items": [public(f) for f in ordered[start:start + self.per_page]],
        }


    def group_key(self, finding: Mapping[str, Any]) -> str:
        """The finding's group under `self.group` (a tag group: the tag's value)."""
        if self.group is None:
            return ""
        if self.group.startswith("tag:"):
            return tags_of(finding).get(self.group[4:], UNTAGGED)
        return str(finding.get(GROUP_FIELDS[self.group]) or "unknown")


def _min_savings(raw: Any) -> Decimal | None:
    if raw is None or str(raw).strip() == "":
        return None
    amount = money(str(raw).strip())
    if amount is None or amount < 0:
        raise ValueError(f"min_savings must be an amount >= 0, got {raw!r}")
    return amount


def _group(raw: Any) -> str | None:
    text = str(raw or "").strip()
    if not text:
        return None
    if text in GROUP_FIELDS or (text.startswith("tag:") and len(text) > 4):
        return text
    raise ValueError(f"cannot group by {text!r}; one of {', '.join(GROUP_FIELDS)} or tag:<key>")


def facets(findings: list[dict[str, Any]]) -> dict[str, list[str]]:
    """The distinct values of each filter (for the filter drop-downs) and the tag keys."""
    out: dict[str, list[str]] = {}
    for name, key in FILTER_FIELDS.items():
        if name == "state":
            out[name] = [s for s in COUNT_STATES if any(count_state(f) == s for f in findings)]
            continue
        out[name] = sorted({str(f[key]) for f in findings if f.get(key) not in (None, "")})
    out["tag_keys"] = sorted({k for f in findings for k in tags_of(f)})
    return out


def _csv_cell(value: Any) -> str:
    """A cell that a spreadsheet will not evaluate (formula injection via hostile tags)."""
    if value is None:
        return ""
    if isinstance(value, dict):
        text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    else:
        text = str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        if money(text) is None:
            text = "'" + text
    return text


GROUP_CSV_COLUMNS = ("group_by", "group", "findings", "counted", "estimated_monthly_savings",
                     "unpriced_findings", "lower_bound_findings")


def groups_csv(group_by: str, groups: Iterable[Mapping[str, Any]]) -> str:
    """One row per group (`views.groups`): its counts and its counted findings' savings."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(GROUP_CSV_COLUMNS)
    for g in groups:
        writer.writerow([_csv_cell(v) for v in (
            group_by, g["key"], g["findings"], g["counted"], g["estimated_monthly_savings"],
            g["unpriced_findings"]["count"], g["lower_bound"]["count"])])
    return buf.getvalue()


def to_csv(findings: Iterable[Mapping[str, Any]]) -> str:
    """The filtered findings as CSV, one row per finding, the table's columns."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for f in findings:
        todo = remediation.for_check(f.get("check_id"))
        row = []
        for col in CSV_COLUMNS:
            if col == "tags":
                row.append(_csv_cell(tags_of(f)))
            elif col == "suppressed":
                row.append(_csv_cell(is_suppressed(f)))
            elif col == "counted":
                row.append(_csv_cell(is_open(f)))
            elif col == "count_state":
                row.append(_csv_cell(count_state(f)))
            elif col == "superseded":
                row.append(_csv_cell(bool(f.get(col))))
            elif col in todo:
                row.append(_csv_cell(todo[col]))
            elif col == "unpriced_reason":
                row.append(_csv_cell(unpriced_reason(f)))
            elif col in ("superseded_by", "missing_prices"):
                row.append(_csv_cell(" ".join(str(m) for m in f.get(col) or [])))
            else:
                row.append(_csv_cell(f.get(col)))
        writer.writerow(row)
    return buf.getvalue()
