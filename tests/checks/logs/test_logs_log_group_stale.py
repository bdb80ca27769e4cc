from datetime import timedelta
from decimal import Decimal

from checks.logs.logs_log_group_stale.check import LogsLogGroupStale, Models
from checks.services.logs import LogGroup


def test_group_without_recent_events_flagged(make_ctx, evaluate):
    ctx = make_ctx()
    g = LogGroup("/old", "", ctx.now - timedelta(days=400), 30, 10_000_000_000)
    found = evaluate(LogsLogGroupStale(), Models([g], {"/old": ctx.now - timedelta(days=200)}), ctx)
    assert found[0].estimated_monthly_savings == Decimal("0.28")  # 9.313 GiB x $0.03 = 0.2794
    never = evaluate(LogsLogGroupStale(), Models([g], {"/old": None}), ctx)
    assert never[0].details["last_event"] == "never"


def test_active_group_not_flagged(make_ctx, evaluate):
    ctx = make_ctx()
    g = LogGroup("/live", "", ctx.now - timedelta(days=400), 30, 2_000_000_000)
    models = Models([g], {"/live": ctx.now - timedelta(days=1)})
    assert evaluate(LogsLogGroupStale(), models, ctx) == []
