"""Faust agents: consume a topic, run the processor, ack only what is durable.

Faust acks the events of an agent that raised and goes on committing, so nothing here may raise per
event: the processor turns every bad record into a dead letter, and a record that can be neither
stored nor dead-lettered ends the whole process at once (`streams.failure.exit_now`, exit 70)
before faust can ack or commit anything further. Acks: `batches` hands over events unacked; an event is
acked once the chunk holding its offset is complete and its files and dead letters are durable.
Faust then commits the highest contiguously acked offset of each partition.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Any

import faust
from faust.types import TP

from sinks.chunk_sink import Committable
from streams.app import StreamSettings, build_processors
from streams.dead_letter import DeadLetterPublisher
from streams.failure import exit_now
from streams.limits import MessageLimits
from streams.processor import Incoming, Processor

log = logging.getLogger(__name__)


class PartitionedAcker:
    """Holds the messages of unacked events per partition until their offsets are durable.

    Only the transport `Message` is kept, stripped of key, value and headers once the processor
    has read them (`strip`): what an ack needs is its offset and ack state, and a partition holds
    up to a whole chunk of offsets (10,000 by default) until the chunk completes. The faust
    `Event` (its own headers dict) and the payload bytes would be most of that memory."""

    def __init__(self, ack: Callable[[Any], Any]) -> None:
        self.ack = ack  # Message -> None: what Event.ack does with the message
        self.held: dict[tuple[str, int], deque[Any]] = {}

    def hold(self, key: tuple[str, int], messages: list[Any]) -> None:
        self.held.setdefault(key, deque()).extend(messages)

    @staticmethod
    def strip(messages: list[Any]) -> None:
        for msg in messages:
            msg.key = msg.value = msg.headers = None

    def release(self, done: Committable) -> int:
        """Ack every held message up to `done.through_offset`: `Event.ack` is `Message.ack` with
        the app's consumer, without the event or a coroutine per event."""
        queue = self.held.get((done.topic, done.partition))
        ack = self.ack
        released = 0
        while queue and queue[0].offset <= done.through_offset:
            ack(queue.popleft())
            released += 1
        return released

    def held_count(self) -> int:
        return sum(len(q) for q in self.held.values())

    def forget(self, key: tuple[str, int]) -> None:
        self.held.pop(key, None)


async def batches(channel: Any, max_events: int, within_s: float) -> AsyncIterator[list[Any]]:
    """The agent's events in batches of up to `max_events`, a partial batch `within_s` after its
    first event, read straight from the channel's queue. In place of `Stream.noack_take`, which
    passes every event through a stream processor, the stream's iterator and its bookkeeping
    (a third of the faust worker's time in a drain profile). Acks stay manual (`PartitionedAcker`);
    the queue's `get`/`get_nowait` keep faust's back-pressure (partition pause/resume) as they are."""
    queue = channel.queue
    loop = asyncio.get_running_loop()
    while True:
        try:
            events = [await queue.get()]
            deadline = loop.time() + within_s
            while len(events) < max_events:
                if not queue.empty():
                    events.append(queue.get_nowait())
                    continue
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                try:
                    events.append(await asyncio.wait_for(queue.get(), remaining))
                except TimeoutError:
                    break
        except StopAsyncIteration:  # faust throws it into the queue when the app stops
            return  # the unprocessed events stay unacked: read again after a restart
        yield events


def of_current_generation(events: list[Any], generation_id: int, flowing: bool) -> tuple[list[Any], int]:
    """The events faust's own `Stream` would hand on (`batches` reads the queue past it): fetched
    in the consumer's current rebalance generation, while flow is active. An event taken from the
    queue before a rebalance and handed over after it is stale even when the partition came back
    to this worker: faust seeks every assigned partition to its committed offset on assignment,
    so those offsets come again, and taking the stale run first made the sink write a chunk from
    its middle (then from its start again: rows stored twice). Returns (current, skipped count)."""
    if not flowing:
        return [], len(events)
    current = [e for e in events if e.message.generation_id == generation_id]
    return current, len(events) - len(current)


def _incoming(msg: Any) -> Incoming:
    headers = msg.headers
    if headers:
        if isinstance(headers, dict):
            headers = headers.items()
        headers = tuple([(k, v if type(v) is bytes else bytes(v or b"")) for k, v in headers])
    else:
        headers = ()
    return Incoming(msg.offset, msg.value, headers)


def _make_agent(
    app: faust.App,
    topic_name: str,
    processor: Processor,
    dlq: DeadLetterPublisher,
    settings: StreamSettings,
) -> Callable[..., Any]:
    topic = app.topic(topic_name, value_serializer="raw", key_serializer="raw")
    acker = PartitionedAcker(lambda msg: msg.ack(app.consumer))
    state = {"last_batch": time.monotonic(), "logged": 0, "last_open_flush": time.monotonic()}

    async def consume(stream: faust.StreamT) -> None:
        try:
            await _consume(stream)
        except asyncio.CancelledError:
            raise  # faust stopping or rebalancing the agent: not a failure
        except Exception as exc:  # noqa: BLE001 - fail-stop, whatever it was
            exit_now(exc)

    async def _consume(stream: faust.StreamT) -> None:
        channel = aiter(stream.channel)  # what Stream's own iteration and take() read from
        async for taken in batches(channel, settings.batch_max, settings.batch_within_s):
            events, stale = of_current_generation(taken, app.consumer_generation_id, app.flow_control.is_active())
            del taken
            if stale:
                log.info("events of an earlier rebalance generation skipped (they come again)",
                         extra={"topic": topic_name, "events": stale,
                                "generation": app.consumer_generation_id})
            by_tp: dict[tuple[str, int], list[Any]] = {}
            for event in events:
                msg = event.message
                tp = msg.tp
                by_tp.setdefault((tp.topic, tp.partition), []).append(msg)
            del events
            assigned = app.consumer.assignment()
            for key, messages in sorted(by_tp.items()):
                if TP(*key) not in assigned:
                    # taken before a revocation: the partition's new owner reads them again, and
                    # writing them here would make two writers of one partition's files
                    log.info("events of a revoked partition skipped",
                             extra={"topic": key[0], "partition": key[1], "events": len(messages)})
                    continue
                acker.hold(key, messages)
                incoming = [_incoming(m) for m in messages]
                acker.strip(messages)  # the processor reads `incoming`; held: offsets only
                done = processor.process(key[0], key[1], incoming)
                del incoming
                if done:
                    dlq.flush()  # dead letters durable before their offsets commit
                    for item in done:
                        acker.release(item)
                await _seek_back(key)
            state["last_batch"] = time.monotonic()
            if state["last_batch"] - state["last_open_flush"] >= settings.max_open_age_s:
                await _flush_open(under_input=True)
            stats = processor.stats
            if stats.consumed - state["logged"] >= 50_000:
                state["logged"] = stats.consumed
                log.info(
                    "stream progress",
                    extra={"topic": topic_name, "consumed": stats.consumed, "valid": stats.valid,
                           "invalid": stats.invalid, "files": processor.sink.stats.files_written,
                           # distinct source records (a re-delivered record counts once), by reason
                           "dead_letters": dict(sorted(dlq.counts.items()))},
                )

    async def _seek_back(key: tuple[str, int]) -> None:
        """The sink would not take a batch past a gap (faust went on with a kept partition from
        where records fetched before a rebalance left its read position): seek the partition to
        the offset the sink needs, and forget the held events (they come again)."""
        for (topic, partition), offset in sorted(processor.sink.take_seeks().items()):
            log.warning("partition sought back to the offset the sink needs",
                        extra={"topic": topic, "partition": partition, "offset": offset})
            acker.forget((topic, partition))
            await app.consumer.seek(TP(topic, partition), offset)

    streams: list[faust.StreamT] = []

    def in_log(topic: str, partition: int, offset: int) -> bool:
        """Whether the partition's log already holds `offset` (high watermark of the last fetch).
        A partition revoked meanwhile counts as skipped: its new owner writes it, not this worker
        (aiokafka asserts on the high watermark of an unassigned partition)."""
        tp = TP(topic, partition)
        if tp not in app.consumer.assignment():
            return True
        try:
            high = app.consumer.highwater(tp)
        except AssertionError:  # revoked between the two calls
            return True
        return high is not None and high > offset

    async def _flush_open(under_input: bool = False) -> None:
        state["last_open_flush"] = time.monotonic()
        done = processor.flush_open(skip=in_log if under_input else None)
        if done:
            dlq.flush()
            for item in done:
                acker.release(item)

    async def consume_and_remember(stream: faust.StreamT) -> None:
        streams.append(stream)
        await consume(stream)

    agent = app.agent(topic, name=f"sink-{topic_name}", concurrency=1)(consume_and_remember)

    @app.timer(interval=settings.idle_flush_s)
    async def idle_flush() -> None:
        if streams and time.monotonic() - state["last_batch"] >= settings.idle_flush_s:
            try:
                await _flush_open()
            except Exception as exc:  # noqa: BLE001 - fail-stop: a faust timer would only log it
                exit_now(exc)

    @app.on_partitions_revoked.connect
    async def on_revoked(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        revoked: set[TP] = args[0] if args else kwargs.get("revoked", set())
        for tp in revoked:
            if tp.topic == topic_name:
                processor.sink.drop_partition(tp.topic, tp.partition)
                acker.forget((tp.topic, tp.partition))

    return agent


def install_agents(app: faust.App, settings: StreamSettings, limits: MessageLimits) -> None:
    dlq = settings.dead_letter_publisher(limits)
    for topic, processor in build_processors(settings, dlq.send).items():
        _make_agent(app, topic, processor, dlq, settings)
