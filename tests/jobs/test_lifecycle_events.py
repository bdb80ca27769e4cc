"""Lifecycle transitions, by hand-written states: each change gives its events, no change none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from jobs.lifecycle_events import diff, event_id, transitions

T0 = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
AS_OF = T0 + timedelta(days=2)


def _state(**over):
    base = {"fingerprint": "fp1", "finding_id": "fp1", "tenant_id": "acme", "workspace": "default",
            "account_id": "123456789012", "region": "us-east-1", "service": "ec2",
            "check_id": "ec2_eip_unassociated", "resource_type": "AWS::EC2::EIP",
            "resource_id": "eipalloc-1", "title": "t", "severity": "low",
            "lifecycle_state": "new", "suppressed": False, "suppression_reason": None,
            "first_seen": T0, "last_seen": T0, "resolved_at": None,
            "estimated_monthly_savings": "3.65", "currency": "USD"}
    base.update(over)
    return base


def _kinds(events):
    return [(e["kind"], e["event_time"]) for e in events]


def test_first_sight_is_new_and_a_second_run_is_no_event() -> None:
    new = _state()
    assert _kinds(transitions(None, new, AS_OF)) == [("new", T0)]
    seen_again = _state(lifecycle_state="open", last_seen=T0 + timedelta(hours=1))
    assert transitions(new, seen_again, AS_OF) == []


def test_resolve_reopen_and_both_between_two_windows() -> None:
    open_ = _state(lifecycle_state="open")
    resolved = _state(lifecycle_state="resolved", resolved_at=T0 + timedelta(hours=1))
    assert _kinds(transitions(open_, resolved, AS_OF)) == [("resolved", T0 + timedelta(hours=1))]
    back = _state(lifecycle_state="open", last_seen=T0 + timedelta(hours=2))
    got = transitions(resolved, back, AS_OF)
    assert _kinds(got) == [("reopened", T0 + timedelta(hours=2))]
    assert got[0]["previous_state"] == "resolved" and got[0]["lifecycle_state"] == "open"
    again = _state(lifecycle_state="resolved", last_seen=T0 + timedelta(hours=2),
                   resolved_at=T0 + timedelta(hours=3))
    assert _kinds(transitions(resolved, again, AS_OF)) == [
        ("reopened", T0 + timedelta(hours=2)), ("resolved", T0 + timedelta(hours=3))]


def test_suppression_flips_at_the_as_of_time() -> None:
    plain = _state(lifecycle_state="open")
    hidden = _state(lifecycle_state="open", suppressed=True, suppression_reason="accepted")
    assert _kinds(transitions(plain, hidden, AS_OF)) == [("suppressed", AS_OF)]
    assert _kinds(transitions(hidden, plain, AS_OF)) == [("unsuppressed", AS_OF)]
    assert _kinds(transitions(None, hidden, AS_OF)) == [("new", T0), ("suppressed", AS_OF)]


def test_diff_of_published_states_is_empty_and_ids_are_stable() -> None:
    cur = [_state(), _state(fingerprint="fp2", finding_id="fp2")]
    first = diff({}, cur, AS_OF)
    assert [e["kind"] for e in first.events] == ["new", "new"] and first.states == cur
    assert first.events[0]["event_id"] == event_id("fp1", "new", T0)
    assert len({e["event_id"] for e in first.events}) == 2
    again = diff({s["fingerprint"]: s for s in cur}, cur, AS_OF)
    assert again.events == [] and again.states == []
    moved = [_state(lifecycle_state="open", last_seen=T0 + timedelta(hours=1)), cur[1]]
    step = diff({s["fingerprint"]: s for s in cur}, moved, AS_OF)
    assert step.events == [] and step.states == [moved[0]]  # the state changed, no event


def test_savings_realized_once_per_resolution_with_the_figure() -> None:
    resolved_at = T0 + timedelta(hours=1)
    open_ = _state(lifecycle_state="open", realized_monthly_savings=None)
    unmeasured = _state(lifecycle_state="resolved", resolved_at=resolved_at,
                        realized_monthly_savings=None)
    measured = dict(unmeasured, realized_monthly_savings="2.10")
    got = transitions(open_, measured, AS_OF)
    assert _kinds(got) == [("resolved", resolved_at), ("savings_realized", resolved_at)]
    assert got[1]["realized_monthly_savings"] == "2.10"
    assert transitions(open_, unmeasured, AS_OF)[0]["kind"] == "resolved"
    assert _kinds(transitions(unmeasured, measured, AS_OF)) == [("savings_realized", resolved_at)]
    refined = dict(measured, realized_monthly_savings="2.35")  # more bill days: no new event
    assert transitions(measured, refined, AS_OF) == []
    later = T0 + timedelta(days=3)  # seen again, resolved again: a new resolution, a new event
    again = dict(measured, last_seen=T0 + timedelta(days=2), resolved_at=later,
                 realized_monthly_savings="2.00")
    assert _kinds(transitions(measured, again, AS_OF)) == [
        ("reopened", T0 + timedelta(days=2)), ("resolved", later), ("savings_realized", later)]


def test_v1_records_read_as_v2_with_no_realized_figure() -> None:
    """States and events written before v2 (no realized figure) are read back as v2, so the
    jobs' memory of them compares equal to a current state without a figure."""
    from schemas.registry import SCHEMA_DIR, load_schema_file
    from schemas.wire import Decoder, encode

    v1 = load_schema_file(SCHEMA_DIR / "finding_state.v1.avsc")
    state = _state(lifecycle_state="open")
    schema, back = Decoder().decode(encode(state, v1))
    assert (schema.name, schema.version) == ("finding_state", 1)
    assert back == {**state, "realized_monthly_savings": None}
