"""What counts toward a total: the one definition every document, page, API and CSV uses.

A finding counts when it is active (not resolved), not suppressed, and not superseded by a
correlation rule (an exclusive alternative with a lower saving, a tuning recommendation on a
resource that should be removed). Every listed finding carries its `count_state` (why it does
or does not count), so a list can show the state beside each row and a spreadsheet summing
the `counted` rows gets the overview's total. The trend applies the same flags per scan run
(resolution is implicit there: a run only holds what it reported).
"""

from __future__ import annotations

# The flags apply to the columns of the findings document table (`fdoc`).
NOT_EXCLUDED_SQL = "(NOT suppressed AND NOT superseded)"
COUNTED_SQL = f"(lifecycle_state <> 'resolved' AND {NOT_EXCLUDED_SQL})"
COUNT_STATES = ("counted", "superseded", "suppressed", "resolved")
# The first reason that applies, in the order a user would act on it.
COUNT_STATE_SQL = (
    "CASE WHEN lifecycle_state = 'resolved' THEN 'resolved'"
    " WHEN suppressed THEN 'suppressed'"
    " WHEN superseded THEN 'superseded'"
    " ELSE 'counted' END"
)

# Unknowns in plain sight. A counted finding without an estimate is left out of every savings
# total; it says why, from the check's price evidence (details.missing_prices: catalog keys,
# or `metric:...` when a usage metric was missing). A partly priced finding carries the priced
# part as a lower bound (details.savings_bound = "lower") and is summed, flagged as such.
MISSING_PRICES_SQL = ("coalesce(TRY_CAST(TRY_CAST(json_extract_string(details, '$.missing_prices')"
                      " AS JSON) AS VARCHAR[]), []::VARCHAR[])")
SAVINGS_BOUND_SQL = "json_extract_string(details, '$.savings_bound')"
UNPRICED_REASONS = ("price missing from the catalog", "usage metric missing", "not estimated")
UNPRICED_REASON_SQL = (
    "CASE WHEN estimated_monthly_savings IS NOT NULL THEN NULL"
    " WHEN len(missing_prices) = 0 THEN 'not estimated'"
    " WHEN len(list_filter(missing_prices, lambda k: NOT starts_with(k, 'metric:'))) > 0"
    " THEN 'price missing from the catalog'"
    " ELSE 'usage metric missing' END"
)
