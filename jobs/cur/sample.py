"""Demo support: the shared Workshop CUR re-pointed at the simulated estate's accounts.

The real Workshop bill belongs to AWS lab accounts; a demo of the simulated estate shows real cost
figures only if the bill names the estate's accounts. The mapping is deterministic: the bill's
distinct account ids, sorted, are paired with `account_ids` in the order given (cycling when the
bill has more accounts), and every occurrence (payer, usage account, and ids inside ARNs and bucket
names) is replaced. Everything else, costs included, is left as billed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from jobs.cur.names import quote_ident, quote_literal

ACCOUNT_COLUMNS = ("bill_payer_account_id", "line_item_usage_account_id")
TEXT_COLUMNS = ("line_item_resource_id", "reservation_reservation_a_r_n", "identity_line_item_id")


def account_mapping(source_ids: Sequence[str], account_ids: Sequence[str]) -> dict[str, str]:
    if not account_ids:
        raise ValueError("account_ids is empty: nothing to map the sample's accounts to")
    return {src: account_ids[i % len(account_ids)] for i, src in enumerate(sorted(set(source_ids)))}


def resource_mapping(
    sample: Sequence[tuple[str, str, str]], estate: Sequence[tuple[str, str, str]]
) -> dict[tuple[str, str], str]:
    """(account, sample resource id) -> estate resource id, pairing ids of the same account,
    region and id prefix (`i-`, `vol-`, `snap-`, …) in sorted order. Inputs are (account, region,
    id) triples; the bill's accounts must already be the estate's."""

    def prefix(rid: str) -> str:
        return rid.split("-", 1)[0] + "-" if "-" in rid else ""

    def groups(rows: Sequence[tuple[str, str, str]]) -> dict[tuple[str, str, str], list[str]]:
        out: dict[tuple[str, str, str], list[str]] = {}
        for account, region, rid in rows:
            if prefix(rid) in ("i-", "vol-", "snap-", "ami-", "eipalloc-", "nat-"):
                out.setdefault((account, region, prefix(rid)), []).append(rid)
        return {k: sorted(set(v)) for k, v in out.items()}

    theirs, ours = groups(sample), groups(estate)
    mapping: dict[tuple[str, str], str] = {}
    for key, ids in sorted(theirs.items()):
        for old, new in zip(ids, ours.get(key, []), strict=False):
            mapping[(key[0], old)] = new
    return mapping


def estate_resources(manifest_path: Path) -> list[tuple[str, str, str]]:
    """(account, region, resource id) of the estate's injected waste and what it relates to."""
    import json

    manifest = json.loads(Path(manifest_path).read_text())
    rows = []
    for item in manifest.get("waste", []):
        for rid in [item.get("resource_id"), *item.get("related", [])]:
            if isinstance(rid, str) and rid:
                rows.append((str(item["account_id"]), str(item["region"]), rid))
    return rows


def map_sample_to_accounts(
    raw_file: Path, account_ids: Sequence[str], out_dir: Path, manifest: Path | None = None
) -> Path:
    """Write `out_dir/<raw_file name>` (legacy CUR Parquet) with its accounts replaced, and, given
    the estate's manifest, its EC2/EBS resource ids re-pointed at the estate's waste resources of
    the same account, region and kind, so that the demo shows exact per-resource cost."""
    raw_file, out_dir = Path(raw_file), Path(out_dir)
    con = duckdb.connect()
    src = f"read_parquet({quote_literal(str(raw_file))})"
    present = {r[0] for r in con.sql(f"DESCRIBE SELECT * FROM {src}").fetchall()}
    acct_cols = [c for c in ACCOUNT_COLUMNS if c in present]
    if not acct_cols:
        raise ValueError(f"{raw_file}: no account columns ({', '.join(ACCOUNT_COLUMNS)})")
    union = " UNION ".join(f"SELECT {quote_ident(c)} FROM {src}" for c in acct_cols)
    found = [r[0] for r in con.sql(union).fetchall() if r[0]]
    mapping = account_mapping(found, account_ids)
    replaced = {}
    for col in [*acct_cols, *(c for c in TEXT_COLUMNS if c in present)]:
        expr = quote_ident(col)
        for old, new in sorted(mapping.items()):
            expr = f"replace({expr}, {quote_literal(old)}, {quote_literal(new)})"
        replaced[col] = expr
    select = ", ".join(
        f"{replaced[c]} AS {quote_ident(c)}" if c in replaced else quote_ident(c)
        for c in (r[0] for r in con.sql(f"DESCRIBE SELECT * FROM {src}").fetchall())
    )
    table = con.sql(f"SELECT {select} FROM {src}").to_arrow_table()
    if manifest is not None and {"line_item_resource_id", "product_region"} <= present:
        table = _map_resources(con, table, manifest)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / raw_file.name
    pq.write_table(table, target, compression="zstd", version="2.6")
    return target


def _map_resources(con: duckdb.DuckDBPyConnection, table: pa.Table, manifest: Path) -> pa.Table:
    con.register("bill", table.append_column("__row", pa.array(range(table.num_rows), pa.int64())))
    sample = con.sql(
        "SELECT DISTINCT line_item_usage_account_id, product_region, line_item_resource_id FROM bill "
        "WHERE line_item_resource_id <> ''"
    ).fetchall()
    mapping = resource_mapping([(str(a), str(r), str(i)) for a, r, i in sample], estate_resources(manifest))
    if not mapping:
        return table
    pairs = pa.table(
        {
            "acct": [a for a, _ in sorted(mapping)],
            "old": [o for _, o in sorted(mapping)],
            "new": [mapping[k] for k in sorted(mapping)],
        }
    )
    con.register("pairs", pairs)
    cols = list(table.schema.names)
    select = ", ".join(
        "coalesce(p.new, b.line_item_resource_id) AS line_item_resource_id"
        if c == "line_item_resource_id"
        else f"b.{quote_ident(c)}"
        for c in cols
    )
    return con.sql(
        f"SELECT {select} FROM bill b LEFT JOIN pairs p "
        "ON p.acct = b.line_item_usage_account_id AND p.old = b.line_item_resource_id ORDER BY b.__row"
    ).to_arrow_table()
