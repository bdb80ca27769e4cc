"""A dead letter too large for the dead-letter topic becomes a bounded `oversize` letter."""

from __future__ import annotations

import hashlib
import os

import pytest

from streams.dead_letter import OVERSIZE, PREFIX_MAX_BYTES, DeadLetter, fit

LIMIT = 1_048_588  # Kafka's default max.message.bytes


def _letter(size: int, headers: tuple[tuple[str, str | bytes | None], ...] = ()) -> DeadLetter:
    return DeadLetter("raw", 3, 77, os.urandom(size), "bad_body", "body does not decode", headers)


@pytest.mark.parametrize("size", [10_000, 1_010_000])
def test_a_letter_that_fits_is_sent_unchanged(size: int) -> None:
    """1,010,000 B: over librdkafka's default producer limit (1,000,000), under the topic's."""
    letter = _letter(size, (("source", b"scanner"),))
    reason, value, headers = fit(letter, LIMIT)
    assert (reason, value, headers) == ("bad_body", letter.value, letter.kafka_headers())


# 1,045,000 B fits a default raw topic, but not with the dead letter's headers
@pytest.mark.parametrize("size", [1_045_000, 5 * 1024 * 1024])
def test_an_oversized_letter_keeps_a_prefix_its_size_and_sha256(size: int) -> None:
    letter = _letter(size, (("source", b"scanner"),))
    reason, value, headers = fit(letter, LIMIT)
    h = dict(headers)
    assert reason == OVERSIZE and h["dlq.reason"] == b"oversize"
    assert value == letter.value[: len(value)] and 0 < len(value) <= PREFIX_MAX_BYTES
    assert h["dlq.prefix.size"] == str(len(value)).encode()
    assert h["dlq.original.size"] == str(size).encode()
    assert h["dlq.original.sha256"] == hashlib.sha256(letter.value).hexdigest().encode()
    assert h["dlq.original.reason"] == b"bad_body"
    assert h["dlq.source.offset"] == b"77" and h["orig.source"] == b"scanner"
    sent = len(value) + sum(len(k) + len(v or b"") for k, v in headers)  # type: ignore[arg-type]
    assert sent < LIMIT // 10


def test_a_small_limit_bounds_the_prefix_and_huge_original_headers_are_dropped() -> None:
    letter = _letter(50_000, (("junk", b"x" * 100_000),))
    reason, value, headers = fit(letter, 20_000)
    h = dict(headers)
    assert reason == OVERSIZE and "orig.junk" not in h and h["dlq.original.headers.kept"] == b"0"
    assert h["dlq.original.headers.size"] == str(100_000 + 9 + 8).encode()
    assert len(value) + sum(len(k) + len(v or b"") for k, v in headers) < 20_000  # type: ignore[arg-type]


def test_a_limit_too_small_for_the_headers_is_an_error_not_a_silent_drop() -> None:
    with pytest.raises(ValueError, match="raw:3:77"):
        fit(_letter(10_000), 2_000)

