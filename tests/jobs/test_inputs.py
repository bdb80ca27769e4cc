"""Input tracking: rewritten files replace their rows, vanished files drop them, and a file that
cannot be read leaves the table as it was (the next window retries)."""

from __future__ import annotations

import pytest

from jobs.db import connect
from jobs.inputs import InputError, findings_table

V = "AWS::EC2::Volume"


def _count(con):
    return con.execute("SELECT count(*), count(DISTINCT _file) FROM findings").fetchall()[0]


def test_rewrite_vanish_and_unreadable_files(kit, lake):
    con = connect(threads=1)
    table = findings_table(lake.findings_dir)
    table.create(con)
    first = lake.write_findings([kit.finding("ec2_ebs_volume_unattached", V, "vol-1")])
    assert table.refresh(con) == {"acme"} and _count(con) == (1, 1)
    assert table.refresh(con) == set()  # nothing changed: nothing read
    lake.write_findings([kit.finding("ec2_ebs_volume_unattached", V, "vol-2")], name_offset=0)
    assert table.refresh(con) == {"acme"} and _count(con) == (2, 1)  # superset, same name

    broken = first.with_name("finops.findings.raw.v1+1+0000000000000000000.parquet")
    broken.write_bytes(b"not parquet")
    with pytest.raises(InputError, match="loading 1 file"):
        table.refresh(con)
    assert _count(con) == (2, 1)  # rolled back
    broken.unlink()
    first.unlink()
    assert table.refresh(con) == {"acme"} and _count(con) == (0, 0)
