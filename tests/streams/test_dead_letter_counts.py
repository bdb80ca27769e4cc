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


def test_distinct_counting_keeps_memory_bounded(kafka_bootstrap: str) -> None:
    """A long stream of dead letters does not grow the publisher: only the most recent keys are
    remembered (a re-send comes from the chunk a partition resumes at), the tally stays exact."""
    topics = harness.Topics.unique("dlqbound")
    topics.create(kafka_bootstrap, 1)
    pub = DeadLetterPublisher(kafka_bootstrap, topics.dlq, recent_keys=100)
    raw = topics.raw
    for offset in range(3_000):
        pub.send(DeadLetter(raw, 0, offset, b"x", "bad_body", "junk"))
        if offset % 500 == 499:
            pub.flush()
    for offset in range(2_950, 3_000):  # the resumed chunk's records, dead-lettered again
        pub.send(DeadLetter(raw, 0, offset, b"x", "bad_body", "junk"))
    pub.send(DeadLetter(raw, 0, 2_999, b"x" * 2_000_000, "bad_body", "now too large"))
    pub.flush()
    assert pub.counts == {"bad_body": 2_999, "oversize": 1}
    assert pub.counts_by_topic() == {(raw, "bad_body"): 2_999, (raw, "oversize"): 1}
    assert len(pub._recent) == 100  # bounded, whatever the stream's length
