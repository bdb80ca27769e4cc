"""Suppressions: a tenant's accepted findings, each with a reason, an author and an expiry.

A suppressed finding stays in findings.json (marked, with the rule that suppressed it) but
leaves the totals and the correlation input. Expiry is compared with the snapshot's as-of time
(a data time), not the wall clock, so a replay suppresses exactly what the original run did.

File: `<suppressions_dir>/<tenant>.json` =
`{"suppressions": [{"fingerprint"?, "check_id"?, "account_id"?, "region"?, "resource_id"?,
"tag"?: "key" or "key=value", "reason", "author", "expires_at"?: ISO-8601 UTC,
"created_at"?}]}`. Every matcher given must match; a rule with no matcher is refused (it would
silently hide everything). The first rule in file order that matches wins. A `fingerprint`
rule names exactly one finding: the dashboard's "suppress" writes those (web/dismissals.py).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

MATCHERS = ("fingerprint", "check_id", "account_id", "region", "resource_id", "tag")


class SuppressionError(ValueError):
    """A suppression file that cannot be used; names the file and the rule index."""


@dataclass(frozen=True, slots=True)
class Suppression:
    reason: str
    author: str
    fingerprint: str | None = None
    check_id: str | None = None
    account_id: str | None = None
    region: str | None = None
    resource_id: str | None = None
    tag_key: str | None = None
    tag_value: str | None = None
    expires_at: datetime | None = None

    def expired(self, as_of: datetime | None) -> bool:
        return self.expires_at is not None and as_of is not None and self.expires_at <= as_of


def _parse_time(text: str, where: str) -> datetime:
    try:
        ts = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise SuppressionError(f"{where}: expires_at {text!r} is not ISO-8601") from exc
    if ts.tzinfo is None:
        raise SuppressionError(f"{where}: expires_at {text!r} has no time zone")
    return ts.astimezone(UTC)


def parse(doc: object, source: str = "<memory>") -> list[Suppression]:
    """Rules of one suppression document; raises SuppressionError naming the bad rule."""
    if not isinstance(doc, dict) or not isinstance(doc.get("suppressions"), list):
        raise SuppressionError(f"{source}: expected {{'suppressions': [...]}}")
    rules = []
    for i, raw in enumerate(doc["suppressions"]):
        where = f"{source}[{i}]"
        if not isinstance(raw, dict):
            raise SuppressionError(f"{where}: not an object")
        unknown = set(raw) - set(MATCHERS) - {"reason", "author", "expires_at", "created_at"}
        if unknown:
            raise SuppressionError(f"{where}: unknown keys {sorted(unknown)}")
        if not any(raw.get(m) for m in MATCHERS):
            raise SuppressionError(f"{where}: needs at least one of {MATCHERS}")
        for req in ("reason", "author"):
            if not str(raw.get(req) or "").strip():
                raise SuppressionError(f"{where}: {req} is required")
        tag = str(raw.get("tag") or "").strip()
        key, _, value = tag.partition("=")
        rules.append(
            Suppression(
                reason=str(raw["reason"]).strip(),
                author=str(raw["author"]).strip(),
                fingerprint=(str(raw["fingerprint"]).strip() if raw.get("fingerprint") else None),
                check_id=(str(raw["check_id"]).strip().lower() if raw.get("check_id") else None),
                account_id=(str(raw["account_id"]).replace("-", "").strip()
                            if raw.get("account_id") else None),
                region=(str(raw["region"]).strip().lower() if raw.get("region") else None),
                resource_id=(str(raw["resource_id"]).strip() if raw.get("resource_id") else None),
                tag_key=key.strip() or None,
                tag_value=(value.strip() if "=" in tag else None),
                expires_at=(_parse_time(str(raw["expires_at"]), where)
                            if raw.get("expires_at") else None),
            )
        )
    return rules


def load(suppressions_dir: Path | None, tenant: str) -> list[Suppression]:
    """The tenant's rules; none when the directory or file does not exist."""
    if suppressions_dir is None:
        return []
    path = suppressions_dir / f"{tenant}.json"
    if not path.is_file():
        return []
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SuppressionError(f"{path}: {exc}") from exc
    return parse(doc, str(path))


def _rules_table(rules: list[Suppression], as_of: datetime | None) -> pa.Table:
    live = [(i, r) for i, r in enumerate(rules) if not r.expired(as_of)]
    cols = {name: [asdict(r)[name] for _, r in live] for name in asdict(rules[0])} if rules else {}
    return pa.table(
        {
            "idx": pa.array([i for i, _ in live], pa.int64()),
            **{
                name: pa.array(cols.get(name, []), pa.string())
                for name in ("reason", "author", "fingerprint", "check_id", "account_id", "region",
                             "resource_id", "tag_key", "tag_value")
            },
            "expires_at": pa.array(cols.get("expires_at", []), pa.timestamp("us", tz="UTC")),
        }
    )


def apply(
    con: duckdb.DuckDBPyConnection,
    src: str,
    out: str,
    rules: list[Suppression],
    as_of: datetime | None,
) -> None:
    """Temp table `out` = `src` + `suppressed` and `suppression` (reason/author/expires_at)."""
    con.register("_supp_rules", _rules_table(rules, as_of))
    try:
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE {out} AS
            WITH hit AS (
                SELECT t.fingerprint, min(r.idx) AS idx
                FROM {src} t JOIN _supp_rules r
                  ON (r.fingerprint IS NULL OR r.fingerprint = t.fingerprint)
                 AND (r.check_id IS NULL OR r.check_id = t.check_id)
                 AND (r.account_id IS NULL OR r.account_id = t.account_id)
                 AND (r.region IS NULL OR r.region = t.region)
                 AND (r.resource_id IS NULL OR r.resource_id = t.resource_id
                      OR r.resource_id = arn_id(t.resource_id))
                 AND (r.tag_key IS NULL OR (map_contains(t.tags, r.tag_key)
                      AND (r.tag_value IS NULL OR t.tags[r.tag_key] = r.tag_value)))
                GROUP BY t.fingerprint
            )
            -- struct keys in sorted order: the snapshot JSON is written with sorted keys
            SELECT t.*, r.idx IS NOT NULL AS suppressed,
                   CASE WHEN r.idx IS NULL THEN NULL
                        ELSE {{'author': r.author, 'expires_at': iso(r.expires_at),
                               'reason': r.reason}} END AS suppression
            FROM {src} t LEFT JOIN hit h USING (fingerprint)
            LEFT JOIN _supp_rules r ON r.idx = h.idx
            """
        )
    finally:
        con.unregister("_supp_rules")
