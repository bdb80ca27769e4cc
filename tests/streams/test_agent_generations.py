"""The faust agent takes only events of the consumer's current rebalance generation, as faust's
own Stream does: a run fetched before a rebalance and handed over after it made the Parquet sink
write a chunk from its middle, then again from its start (a full-size two-worker crash run)."""

from __future__ import annotations

from types import SimpleNamespace

from faust.types.tuples import Message

from streams.agents import of_current_generation


def event(offset: int, generation: int) -> SimpleNamespace:
    msg = Message("raw", 4, offset, 0.0, 0, None, None, b"v", None, generation_id=generation)
    return SimpleNamespace(message=msg)


def test_events_of_an_earlier_generation_are_skipped() -> None:
    late = [event(o, generation=3) for o in range(5187, 5190)]
    again = [event(o, generation=4) for o in range(5000, 5003)]
    kept, skipped = of_current_generation(late + again, generation_id=4, flowing=True)
    assert [e.message.offset for e in kept] == [5000, 5001, 5002]
    assert skipped == 3


def test_nothing_is_taken_while_flow_is_stopped_for_a_rebalance() -> None:
    batch = [event(o, generation=4) for o in range(10)]
    assert of_current_generation(batch, generation_id=4, flowing=False) == ([], 10)
    assert of_current_generation(batch, generation_id=4, flowing=True) == (batch, 0)
