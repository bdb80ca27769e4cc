"""A finding the findings topic refuses fails the publish (so its offset is never committed), on the
real broker. The producer asks for delivery reports of failed messages only (no Python callback
per delivered finding): this proves the failures are still reported."""

from __future__ import annotations

import uuid

import pytest
from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, NewTopic

from contracts.batch import convert_batch
from schemas.wire import Decoder
from streams.publish import FindingsPublisher
from tools.stress.generator import generate

pytestmark = pytest.mark.kafka


def _stored_table(n: int):  # type: ignore[no-untyped-def]
    decoder = Decoder()
    records = [decoder.decode(m.value)[1] for m in generate(n, seed=3, invalid_share=0.0)]
    return convert_batch(records, "pub.raw", 0, list(range(n))).table


@pytest.mark.timeout(120)
def test_a_refused_finding_fails_the_publish(kafka_bootstrap: str) -> None:
    topic = f"pub.refusing.{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
    # a record batch larger than this is refused by the broker (MESSAGE_TOO_LARGE, not retried)
    new = NewTopic(topic, num_partitions=1, replication_factor=1, config={"max.message.bytes": "100"})
    admin.create_topics([new])[topic].result(30)
    table = _stored_table(20)
    publisher = FindingsPublisher(kafka_bootstrap, topic)
    with pytest.raises(KafkaException, match=topic):
        publisher.publish(table)
    assert publisher.published == 0

