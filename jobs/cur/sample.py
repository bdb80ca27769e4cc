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
import pyarrow.parquet as pq

from jobs.cur.names import quote_ident, quote_literal

ACCOUNT_COLUMNS = ("bill_payer_account_id", "line_item_usage_account_id")
TEXT_COLUMNS = ("line_item_resource_id", "reservation_reservation_a_r_n", "identity_line_item_id")


def account_mapping(source_ids: Sequence[str], account_ids: Sequence[str]) -> dict[str, str]:
    if not account_ids:
        raise ValueError("account_ids is empty: nothing to map the sample's accounts to")
    return {src: account_ids[i % len(account_ids)] for i, src in enumerate(sorted(set(source_ids)))}


def map_sample_to_accounts(raw_file: Path, account_ids: Sequence[str], out_dir: Path) -> Path:
    """Write `out_dir/<raw_file name>` (legacy CUR Parquet) with its accounts replaced."""
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
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / raw_file.name
    pq.write_table(table, target, compression="zstd", version="2.6")
    return target
