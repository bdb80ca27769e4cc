"""The shared Workshop October + November 2018 bills as the realized-savings tests use them:
normalized into a data root's cur_facts, and summed straight from the raw Parquet files with
DuckDB (the independent side of every expected figure; `raw_cost` also sums the estate's
generated bill)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from jobs.cur.normalize import normalize

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "aws-well-architected-labs"
MONTHS = [SHARED / f"{m}2018-WorkshopCUR-00001.snappy.parquet" for m in ("Oct", "Nov")]
PAYER = "836060457634"
needs_bills = pytest.mark.skipif(not all(p.exists() for p in MONTHS),
                                 reason="shared Workshop bills not present")


def normalized_root(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A fresh data root whose cur_facts hold both months, normalized for tenant acme."""
    root = tmp_path_factory.mktemp(name) / "data"
    raw = root.parent / "raw"
    raw.mkdir()
    for p in MONTHS:
        (raw / p.name).symlink_to(p)
    normalize(raw, root / "cur_facts", tenant="acme")
    return root


def raw_cost(where: str, files: Sequence[Path | str] = tuple(MONTHS),
             params: Sequence[Any] = ()) -> Decimal:
    """Amortized cost (reservation-effective for DiscountedUsage, else unblended) of the raw
    CUR lines in `files` (paths or globs) matching `where`."""
    listed = ", ".join(f"'{p}'" for p in files)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    value = con.execute(f"""
        SELECT COALESCE(sum(CASE line_item_line_item_type WHEN 'DiscountedUsage'
                                 THEN reservation_effective_cost
                                 ELSE line_item_unblended_cost END), 0)
        FROM read_parquet([{listed}], union_by_name = true)
        WHERE {where}""", list(params)).fetchall()[0][0]
    return Decimal(repr(value))


def cents(x: Decimal) -> str:
    return str(x.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN))
