"""Dead-letter figures count distinct source records: the compacted topic's message count
over-counts re-sent letters (until compaction runs), distinct keys do not (real broker)."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY

from streams.dead_letter import DeadLetter, DeadLetterPublisher
from streams.metrics import watch_dead_letters
from tools.stress import harness

pytestmark = pytest.mark.kafka


def test_a_re_sent_letter_counts_once(kafka_bootstrap: str) -> None:
    topics = harness.Topics.unique("dlqcount")
    topics.create(kafka_bootstrap, 1)
    pub = watch_dead_letters(DeadLetterPublisher(kafka_bootstrap, topics.dlq))
    raw = topics.raw
    first = DeadLetter(raw, 3, 77, b"\x00" * 100, "bad_body", "body does not decode")
    pub.send(first)
    pub.send(first)  # the same record re-delivered after a rebalance or crash
    pub.send(DeadLetter(raw, 3, 78, b"x", "contract", "account_id"))
    pub.send(DeadLetter(raw, 3, 77, b"\x00" * 2_000_000, "bad_body", "now too large"))  # offset 77 again
    pub.flush()
    assert pub.counts == {"oversize": 1, "contract": 1}
    messages = harness.end_offsets(kafka_bootstrap, topics.dlq)[0]
    distinct = harness.dead_letters(kafka_bootstrap, topics.dlq, 2)
    assert messages == 4 and distinct == {f"{raw}:3:77": "oversize", f"{raw}:3:78": "contract"}
    # the worker's metric is the same distinct count
    metric = "finops_stream_dead_letters_total"
    assert REGISTRY.get_sample_value(metric, {"topic": raw, "reason": "oversize"}) == 1
    assert REGISTRY.get_sample_value(metric, {"topic": raw, "reason": "contract"}) == 1
    assert REGISTRY.get_sample_value(metric, {"topic": raw, "reason": "bad_body"}) is None
