"""The estate's CBOR codec against RFC 8949's own examples (Appendix A, hex as printed there)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from estate import cbor

# (value, encoding) pairs where the RFC's encoding is the preferred one the encoder must write
ENCODED = [
    (0, "00"), (1, "01"), (10, "0a"), (23, "17"), (24, "1818"), (25, "1819"), (100, "1864"),
    (1000, "1903e8"), (1000000, "1a000f4240"), (1000000000000, "1b000000e8d4a51000"),
    (18446744073709551615, "1bffffffffffffffff"), (-1, "20"), (-10, "29"), (-100, "3863"),
    (-1000, "3903e7"), (1.1, "fb3ff199999999999a"), (-4.1, "fbc010666666666666"),
    (1.0e300, "fb7e37e43c8800759c"), (False, "f4"), (True, "f5"), (None, "f6"),
    ("", "60"), ("a", "6161"), ("IETF", "6449455446"), ("\"\\", "62225c"),
    ("\u00fc", "62c3bc"), ("\u6c34", "63e6b0b4"), (b"", "40"), (b"\x01\x02\x03\x04", "4401020304"),
    ([], "80"), ([1, 2, 3], "83010203"), ([1, [2, 3], [4, 5]], "8301820203820405"),
    (list(range(1, 26)), "98190102030405060708090a0b0c0d0e0f101112131415161718181819"),
    ({}, "a0"), ({1: 2, 3: 4}, "a201020304"), ({"a": 1, "b": [2, 3]}, "a26161016162820203"),
    (["a", {"b": "c"}], "826161a161626163"),
    ({"a": "A", "b": "B", "c": "C", "d": "D", "e": "E"},
     "a56161614161626142616361436164614461656145"),
]
# encodings the decoder must read although the encoder never writes them
DECODED_ONLY = [
    ("f90000", 0.0), ("f93c00", 1.0), ("f93e00", 1.5), ("f97bff", 65504.0),
    ("fa47c35000", 100000.0), ("fa7f7fffff", 3.4028234663852886e38),
    ("5f42010243030405ff", b"\x01\x02\x03\x04\x05"), ("7f657374726561646d696e67ff", "streaming"),
    ("9fff", []), ("9f018202039f0405ffff", [1, [2, 3], [4, 5]]),
    ("83018202039f0405ff", [1, [2, 3], [4, 5]]),
    ("bf61610161629f0203ffff", {"a": 1, "b": [2, 3]}),
    ("826161bf61626163ff", ["a", {"b": "c"}]),
    ("bf6346756ef563416d7421ff", {"Fun": True, "Amt": -2}),
    ("c11a514b67b0", datetime(2013, 3, 21, 20, 4, 0, tzinfo=UTC)),
    ("c1fb41d452d9ec200000", datetime(2013, 3, 21, 20, 4, 0, 500000, tzinfo=UTC)),
]


@pytest.mark.parametrize(("value", "hexed"), ENCODED)
def test_rfc_examples_encode_and_decode(value, hexed) -> None:
    assert cbor.dumps(value).hex() == hexed
    assert cbor.loads(bytes.fromhex(hexed)) == value


@pytest.mark.parametrize(("hexed", "value"), DECODED_ONLY)
def test_rfc_examples_decode(hexed, value) -> None:
    assert cbor.loads(bytes.fromhex(hexed)) == value


def test_timestamps_are_tag_1_epoch_seconds() -> None:
    at = datetime(2013, 3, 21, 20, 4, 0, 500000, tzinfo=UTC)
    assert cbor.dumps(at).hex() == "c1fb41d452d9ec200000"  # RFC 8949 A: 1(1363896240.5)


@pytest.mark.parametrize("hexed", ["1c", "8301", "0000", "f8"])
def test_malformed_input_is_refused(hexed) -> None:
    with pytest.raises(ValueError):
        cbor.loads(bytes.fromhex(hexed))
