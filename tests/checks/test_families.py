"""Successor sizes by vCPU and memory, against values read by hand from AWS's instance-type
tables (not from the code's own table)."""

import pytest

from checks.families import GRAVITON, PREVIOUS_GENERATION, successor


@pytest.mark.parametrize(("current", "expected"), [
    ("m3.medium", "m5.large"),       # 1 vCPU/3.75 GiB; m5 has no medium
    ("m1.small", "m5.large"),        # 1/1.7
    ("db.m3.medium", "db.m5.large"),
    ("m4.large", "m5.large"),        # same shape 2/8
    ("m4.10xlarge", "m5.12xlarge"),  # 40/160: no m5.10xlarge
    ("c4.8xlarge", "c5.9xlarge"),    # 36/60
    ("m2.xlarge", "r5.xlarge"),      # 2/17.1: r5.large has 16 GiB
    ("c1.xlarge", "c5.2xlarge"),     # 8/7
    ("t1.micro", "t3.micro"),        # 1/0.613: t3.nano has 0.5 GiB
    ("t2.nano", "t3.nano"),
    ("hs1.8xlarge", "d3.4xlarge"),   # 16/117 -> 16/128
    ("g2.2xlarge", "g4dn.2xlarge"),  # 8/15: g4dn.xlarge has 4 vCPU
    ("db.t2.micro", "db.t3.micro"),
    ("d2.8xlarge", None),            # 36 vCPU: the largest d3 has 32
    ("m5.large", None),              # current generation: not mapped
])
def test_previous_generation_successor(current, expected):
    assert successor(current, PREVIOUS_GENERATION) == expected


@pytest.mark.parametrize(("current", "expected"), [
    ("m5.large", "m6g.large"),
    ("t3.nano", "t4g.nano"),
    ("c5.9xlarge", "c6g.12xlarge"),  # 36/72: c6g jumps from 8xlarge (32) to 12xlarge (48)
    ("db.m5.large", "db.m6g.large"),
    ("m6i.32xlarge", None),          # 128 vCPU: the largest m6g has 64
])
def test_graviton_successor(current, expected):
    assert successor(current, GRAVITON) == expected


def test_unknown_size_of_a_mapped_family_is_an_error():
    with pytest.raises(ValueError, match="m3.huge"):
        successor("m3.huge", PREVIOUS_GENERATION)
