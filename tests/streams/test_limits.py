"""Client limits follow the topics' max.message.bytes, read from the broker."""

from __future__ import annotations

import uuid

import pytest
from confluent_kafka.admin import AdminClient, NewTopic

from streams.limits import KAFKA_DEFAULT_MAX_MESSAGE_BYTES, MessageLimits, resolve_limits


def test_default_topics_keep_the_engines_former_fetch_sizes() -> None:
    conf = MessageLimits(KAFKA_DEFAULT_MAX_MESSAGE_BYTES, KAFKA_DEFAULT_MAX_MESSAGE_BYTES).confluent_consumer()
    assert conf == {"fetch.max.bytes": 16 * 2**20, "max.partition.fetch.bytes": 4 * 2**20,
                    "receive.message.max.bytes": 100_000_000, "queued.max.messages.kbytes": 16384}


def test_a_topic_taking_large_messages_gets_fetches_that_hold_them() -> None:
    limits = MessageLimits(64 * 2**20, KAFKA_DEFAULT_MAX_MESSAGE_BYTES)
    conf = limits.confluent_consumer()
    assert conf["max.partition.fetch.bytes"] > 64 * 2**20 and conf["fetch.max.bytes"] >= conf["max.partition.fetch.bytes"]
    assert conf["receive.message.max.bytes"] >= conf["fetch.max.bytes"] + 512  # librdkafka's rule
    assert conf["queued.max.messages.kbytes"] * 1024 >= conf["fetch.max.bytes"]
    assert limits.partition_fetch_bytes == conf["max.partition.fetch.bytes"]  # faust's consumer_max_fetch_size


@pytest.mark.kafka
def test_limits_are_read_from_the_topics_unless_configured(kafka_bootstrap: str) -> None:
    tag = uuid.uuid4().hex[:8]
    raw, scans, dlq = f"lim.{tag}.raw", f"lim.{tag}.scans", f"lim.{tag}.dlq"
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
    futures = admin.create_topics([
        NewTopic(raw, 1, 1, config={"max.message.bytes": "6291456"}),
        NewTopic(scans, 1, 1),
        NewTopic(dlq, 1, 1, config={"max.message.bytes": "2000000"}),
    ])
    for fut in futures.values():
        fut.result(30)
    assert resolve_limits(kafka_bootstrap, [raw, scans], dlq) == MessageLimits(6291456, 2000000)
    assert resolve_limits(kafka_bootstrap, [scans], dlq) == MessageLimits(KAFKA_DEFAULT_MAX_MESSAGE_BYTES, 2000000)
    assert resolve_limits(kafka_bootstrap, [raw], dlq, source_max_bytes=123, dlq_max_bytes=456) == MessageLimits(123, 456)


@pytest.mark.kafka
def test_a_topic_the_broker_does_not_know_yet_is_waited_for_then_named(kafka_bootstrap: str) -> None:
    """The stream creates its topics and reads their limits right after: a broker whose metadata
    lags the creation answers UNKNOWN_TOPIC_OR_PART for a moment (seen in the demo: the worker
    exited at start-up). That answer is retried until the timeout; a topic that never comes is named."""
    import threading

    from streams.limits import topic_max_message_bytes

    tag = uuid.uuid4().hex[:8]
    late = f"limits.late.{tag}"
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap})

    def create() -> None:
        admin.create_topics([NewTopic(late, 1, 1, config={"max.message.bytes": "2000000"})])[late].result(30)

    creator = threading.Timer(1.5, create)
    creator.start()
    try:
        assert topic_max_message_bytes(kafka_bootstrap, [late], timeout=30) == {late: 2_000_000}
    finally:
        creator.join()
    missing = f"limits.missing.{tag}"
    with pytest.raises(RuntimeError, match=f"describing topic {missing}"):
        topic_max_message_bytes(kafka_bootstrap, [missing], timeout=2)
