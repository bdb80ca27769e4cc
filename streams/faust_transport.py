"""faust's aiokafka transport with a cheaper fetcher -> agent hand-over.

faust-streaming's fetcher hands every record to the conductor through
`Service.wait_first(callback(message), suspend_flow.wait())`: four asyncio tasks created and three
cancelled per record, so that a hand-over blocked on a full stream buffer can be abandoned when a
rebalance suspends the flow. Profiling a drain showed this costing more than our own processing.

`FastHandoverConsumer` keeps faust's loop (same offsets bookkeeping, gaps, commit cadence, flow
checks) and only skips the tasks when the hand-over cannot block: the flow is not suspended and
every channel of the record's partition has room in its queue. Then `on_message` completes
without yielding (it only puts the event with `put_nowait`), so there is nothing to abandon.
Otherwise (full buffer, rebalance) it takes faust's own `wait_first` path. Written against
faust-streaming 0.15 (pyproject pins < 0.16); the stream, crash and replay tests run through it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, cast

from faust.transport.consumer import CONSUMER_FETCHING
from faust.transport.drivers import aiokafka as faust_aiokafka
from mode import Service, ServiceT


class FastHandoverConsumer(faust_aiokafka.Consumer):
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
        tp_index = cast(Any, self.app.topics)._tp_index  # TP -> channels (conductor)
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
                            if (
                                channels
                                and not suspended()
                                and self.app.flow_control.is_active()
                                and not any(chan.queue.full() for chan in channels)
                            ):
                                await callback(message)
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
