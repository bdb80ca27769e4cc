"""faust's aiokafka transport with a cheaper fetcher -> agent hand-over.

faust-streaming's fetcher hands every record to the conductor through
`Service.wait_first(callback(message), suspend_flow.wait())`: four asyncio tasks created and
three cancelled per record, so that a hand-over blocked on a full stream buffer can be abandoned when a
rebalance suspends the flow. Behind it, the conductor's callback awaits a lock, the flow control,
the producer buffer and a compiled decoder (key and value through the codec registry) before it
puts an `Event` on the channel's queue: a dozen coroutine steps per record, more than all of our
own per-record work in a drain profile.

`FastHandoverConsumer` keeps faust's loop (same offsets bookkeeping, gaps, commit cadence, flow
checks) and, when the hand-over cannot block and decoding is the identity, does what the
conductor would do, synchronously: the flow is not suspended, flow control is active, the
conductor is not re-indexing, the producer buffer is not over its limit, the record's partition
feeds exactly one channel, a `raw`/`raw` topic without key or value types (decoding returns the
message's own bytes), and that channel's queue has room. Then it increfs the message and puts the
event with `put_nowait_enhanced` and the same pressure callbacks (pause / resume the partition at
faust's thresholds). Otherwise (full buffer, rebalance, any other topic) it takes faust's own path.
Written against faust-streaming 0.15 (pyproject pins < 0.16); the stream, crash and replay tests
run through it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any, cast

from faust.topics import Topic
from faust.transport.consumer import CONSUMER_FETCHING
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import TP
from mode import Service, ServiceT


def decodes_as_is(chan: Any) -> bool:
    """Whether faust's decoding of `chan`'s messages returns their own key and value bytes."""
    schema = getattr(chan, "schema", None)
    return (
        isinstance(chan, Topic)
        and schema is not None
        and schema.key_serializer == "raw"
        and schema.value_serializer == "raw"
        and schema.key_type is None
        and schema.value_type is None
    )


class FastHandoverConsumer(faust_aiokafka.Consumer):
    def _pressure_callbacks(self, tp: TP) -> tuple[Callable[[], None], Callable[[], None]]:
        """The conductor's per-partition pressure callbacks (high: count it, stop fetching the
        partition; drop: fetch again). One pair per partition: the queue keeps pending drop
        callbacks in a set, by identity."""
        on_topic_buffer_full = self.app.sensors.on_topic_buffer_full
        on_buffer_full, on_buffer_drop = self.on_buffer_full, self.on_buffer_drop

        def on_pressure_high() -> None:
            on_topic_buffer_full(tp)
            on_buffer_full(tp)

        def on_pressure_drop() -> None:
            on_buffer_drop(tp)

        return on_pressure_high, on_pressure_drop

    async def _drain_messages(self, fetcher: ServiceT) -> None:  # pragma: no cover - the fetcher loop
        # faust's Consumer._drain_messages (0.15.3), with the non-blocking hand-over fast path.
        callback = self.callback
        getmany = self.getmany
        consumer_should_stop = cast(Service, self)._stopped.is_set
        fetcher_should_stop = cast(Service, fetcher)._stopped.is_set
        get_read_offset = self._read_offset.__getitem__
        set_read_offset = self._read_offset.__setitem__
        set_flag = self.diag.set_flag
        unset_flag = self.diag.unset_flag
        commit_every = self._commit_every
        acks_enabled_for = self.app.topics.acks_enabled_for
        conductor = cast(Any, self.app.topics)
        tp_index = conductor._tp_index  # TP -> channels (conductor)
        reindexing = conductor._tp_to_callback_lock.locked
        flow_active = self.app.flow_control.is_active
        producer_buffer = self.app.producer.buffer
        create_event = self.app.create_event
        as_is: dict[Any, bool] = {}  # channel -> decodes_as_is
        pressure: dict[TP, tuple[Callable[[], None], Callable[[], None]]] = {}
        suspended = self.suspend_flow.is_set
        yield_every = 100
        num_since_yield = 0
        sleep = asyncio.sleep
        try:
            while not (consumer_should_stop() or fetcher_should_stop()):
                set_flag(CONSUMER_FETCHING)
                ait = cast(AsyncIterator, getmany(timeout=1.0))
                await self.sleep(0)
                if not self.should_stop:
                    async for tp, message in ait:
                        num_since_yield += 1
                        if num_since_yield > yield_every:
                            await sleep(0)
                            num_since_yield = 0
                        offset = message.offset
                        r_offset = get_read_offset(tp)
                        if r_offset is None or offset >= r_offset:
                            gap = offset - (r_offset or 0)
                            if gap > 1 and r_offset:
                                if acks_enabled_for(message.topic):
                                    await self._add_gap(tp, r_offset + 1, offset)
                            if commit_every is not None and self._n_acked >= commit_every:
                                self._n_acked = 0
                                await self.commit()
                            channels = tp_index.get(tp)
                            chan = next(iter(channels)) if channels and len(channels) == 1 else None
                            if (
                                chan is not None
                                and not suspended()
                                and flow_active()
                                and not reindexing()
                                and producer_buffer.size <= producer_buffer.max_messages
                                and not chan.queue.full()
                                and (as_is[chan] if chan in as_is else as_is.setdefault(chan, decodes_as_is(chan)))
                            ):
                                # the conductor's on_message for one raw channel, without awaiting
                                cbs = pressure.get(tp) or pressure.setdefault(tp, self._pressure_callbacks(tp))
                                message.incref(1)
                                chan.queue.put_nowait_enhanced(
                                    create_event(message.key, message.value, message.headers, message),
                                    on_pressure_high=cbs[0], on_pressure_drop=cbs[1],
                                )
                            elif (
                                channels
                                and not suspended()
                                and flow_active()
                                and not any(c.queue.full() for c in channels)
                            ):
                                await callback(message)  # cannot block: no tasks needed
                            else:
                                await self.wait_first(callback(message), self.suspend_flow.wait())
                            set_read_offset(tp, offset)
                        else:
                            self.log.dev("DROPPED MESSAGE ROFF %r: k=%r v=%r", offset, message.key,
                                         message.value)
                    unset_flag(CONSUMER_FETCHING)
        except self.consumer_stopped_errors:
            if self.transport.app.should_stop:
                self.log.info("Broker stopped consumer, shutting down...")
                return
            raise
        except asyncio.CancelledError:
            if self.transport.app.should_stop:
                self.log.info("Consumer shutting down for user cancel.")
                return
            raise
        except Exception as exc:
            self.log.exception("Drain messages raised: %r", exc)
            raise
        finally:
            unset_flag(CONSUMER_FETCHING)


class FastHandoverTransport(faust_aiokafka.Transport):
    Consumer = FastHandoverConsumer
